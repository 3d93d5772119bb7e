/// One video packet as the demuxer delivered it (decode order).
struct PacketEntry: Sendable {
    /// The packet's timestamp in stream time base: pts, or dts when the container gives no pts. For
    /// streams without timestamps (raw elementary streams) it is the decode position, which Vidi writes
    /// into the packet's pts before decoding so the decoded frame carries it.
    var timestamp: Int64
    var dts: Int64?
    var duration: Int64
    var isKeyframe: Bool
    /// Byte offset of the packet in the file (`AVPacket.pos`), -1 when the demuxer does not say. Tells
    /// apart packets that share a timestamp.
    var bytePosition: Int64 = -1
    /// Flagged AV_PKT_FLAG_DISCARD (e.g. pre-roll before an MP4 edit list's start): decoded, never shown.
    /// Kept in decode order because later frames may need it as a reference or start point.
    var isHidden: Bool = false
}

/// Every video packet of a file, found by one demuxing pass (no decoding), in decode order with the
/// display order beside it. Frame indices everywhere mean display order; container headers
/// (`nb_frames`) are never trusted.
struct PacketIndex: Sendable {
    /// Decode order.
    let entries: [PacketEntry]
    /// `displayToDecode[i]` is the decode position of display frame `i`.
    let displayToDecode: [Int]
    /// `decodeToDisplay[p]` is the display index of the packet at decode position `p` (nil: never shown).
    let decodeToDisplay: [Int?]
    /// Decode positions of keyframe packets, ascending.
    let keyframePositions: [Int]
    /// Packet timestamp -> decode position of the first packet with it; how a packet read after a seek
    /// is placed.
    let positionOfTimestamp: [Int64: Int]
    /// Timestamps that several packets share (VFR Matroska with a 1 ms time base, bad muxers) -> all
    /// their decode positions, ascending. Empty for most files.
    let sharedTimestamps: [Int64: [Int]]
    /// False for streams whose packets carry no timestamps: packets are then placed by counting from
    /// the start of the file, and the demuxer is never asked to seek.
    let hasTimestamps: Bool

    /// - Parameters:
    ///   - displayOrder: decode positions in the order the decoder outputs them, for streams without
    ///     timestamps; nil to sort by timestamp.
    ///   - outputRanks: per decode position, when the decoder output that packet's frame (`Int.max`:
    ///     never), from a decode pass; orders packets that share a timestamp as the decoder shows them.
    ///     Without it they keep decode order, which is right unless the stream reorders frames.
    init(entries: [PacketEntry], hasTimestamps: Bool = true, displayOrder: [Int]? = nil, outputRanks: [Int]? = nil) {
        self.entries = entries
        self.hasTimestamps = hasTimestamps
        let rank = { (position: Int) -> Int in outputRanks.map { position < $0.count ? $0[position] : Int.max } ?? 0 }
        let order = displayOrder ?? entries.indices.filter { !entries[$0].isHidden }.sorted {
            (entries[$0].timestamp, rank($0), $0) < (entries[$1].timestamp, rank($1), $1)
        }
        displayToDecode = order
        var decodeToDisplay = [Int?](repeating: nil, count: entries.count)
        for (display, position) in order.enumerated() { decodeToDisplay[position] = display }
        self.decodeToDisplay = decodeToDisplay
        keyframePositions = entries.indices.filter { entries[$0].isKeyframe }
        var positions = [Int64: Int](minimumCapacity: entries.count)
        var shared: [Int64: [Int]] = [:]
        for (position, entry) in entries.enumerated() {
            if let first = positions[entry.timestamp] {
                shared[entry.timestamp, default: [first]].append(position)
            } else {
                positions[entry.timestamp] = position
            }
        }
        positionOfTimestamp = positions
        sharedTimestamps = shared
    }

    /// The decode position of a packet the demuxer delivered with timestamp `timestamp` at byte offset
    /// `bytePosition`, or nil when no indexed packet has that timestamp. A timestamp that several packets
    /// share is resolved by the byte offset, then by the key flag, then by `preferred` (where the
    /// caller expects to be), then the first of them.
    func position(ofTimestamp timestamp: Int64, bytePosition: Int64, isKeyframe: Bool, preferred: Int?) -> Int? {
        guard let candidates = sharedTimestamps[timestamp] else { return positionOfTimestamp[timestamp] }
        if bytePosition >= 0, let match = candidates.first(where: { entries[$0].bytePosition == bytePosition }) {
            return match
        }
        let flagged = candidates.filter { entries[$0].isKeyframe == isKeyframe }
        let pool = flagged.isEmpty ? candidates : flagged
        if let preferred, pool.contains(preferred) { return preferred }
        return pool.first
    }

    /// Number of displayed frames.
    var count: Int { displayToDecode.count }

    /// Timestamps in display order (stream time base).
    var displayTimestamps: [Int64] { displayToDecode.map { entries[$0].timestamp } }

    /// Display indices of keyframes, ascending.
    var keyframeDisplayIndices: [Int] {
        keyframePositions.compactMap { decodeToDisplay[$0] }.sorted()
    }

    /// Whether display order differs from decode order anywhere (B-frames or other reordering).
    var hasReordering: Bool {
        zip(displayToDecode, displayToDecode.dropFirst()).contains { $0 > $1 }
    }

    /// The last keyframe position at or before decode position `position` (0 when none is).
    func keyframePosition(atOrBefore position: Int) -> Int {
        var low = 0, high = keyframePositions.count  // first index whose position > `position`
        while low < high {
            let mid = (low + high) / 2
            if keyframePositions[mid] <= position { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? 0 : keyframePositions[low - 1]
    }

    /// Where decoding must start so that display frame `display` comes out exactly as in a decode from
    /// the beginning: the keyframe at or before its packet, or, for a leading frame of an open GOP (shown
    /// before that keyframe but decoded after it, so it references the previous GOP), the keyframe
    /// before that one.
    func startPosition(forDisplay display: Int) -> Int {
        let position = displayToDecode[display]
        let key = keyframePosition(atOrBefore: position)
        if key > 0, let keyDisplay = decodeToDisplay[key], display < keyDisplay {
            return keyframePosition(atOrBefore: key - 1)
        }
        return key
    }
}
