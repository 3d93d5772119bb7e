/// Display indices of keyframes found while demuxing in decode order, without a packet index: what lets
/// keyframes come out in one streaming pass, exactly numbered, with no scan at open.
///
/// A keyframe's display index is the number of frames whose pts is smaller. Once a packet with
/// dts > the keyframe's pts has been read, no later packet can change that count, because dts never
/// decreases and every packet has pts >= dts: so each keyframe is final a few packets after its own,
/// whatever the B-frame or open-GOP structure. Packets that break those rules (no pts or dts, dts going
/// backwards, pts < dts), or another frame with a keyframe's own pts (ties need the decoder's output
/// order), end the pass with `Unordered`: the caller then builds the index and continues from it.
struct KeyframeOrder<Held> {
    struct Keyframe {
        let pts: Int64
        /// Frames with a smaller pts seen so far; the display index once the keyframe is final.
        var display: Int
        /// What the caller keeps until the keyframe is final (its packet).
        let held: Held
    }

    enum Unordered: Error, Equatable {
        case missingTimestamp
        case decreasingDts
        case ptsBeforeDts
        case sharedTimestamp
    }

    /// Frames (shown packets) read so far.
    private var framesRead = 0
    private var lastDts: Int64?
    /// pts of frames read that are >= the latest dts: the only earlier frames a later keyframe's pts can
    /// be below or equal to (every later keyframe has pts >= its dts >= the latest dts). A reorder
    /// window's worth of values.
    private var outstanding: [Int64] = []
    /// Keyframes read and not yet final, in decode order.
    private(set) var pending: [Keyframe] = []

    /// Takes the next packet in decode order: `isFrame` false for packets that are decoded but never shown
    /// (AV_PKT_FLAG_DISCARD), `held` non-nil for a shown keyframe. Returns the keyframes that became final,
    /// in display order. On a throw nothing has changed and `held` is not kept.
    mutating func add(pts: Int64?, dts: Int64?, isFrame: Bool, held: Held?) throws(Unordered) -> [Keyframe] {
        guard let pts else { throw .missingTimestamp }
        // A dts may be missing only before the first one (libavformat guesses none for the first packets
        // of a B-frame stream in Matroska): such a packet bounds nothing, and none may follow a dts.
        if dts == nil, lastDts != nil { throw .missingTimestamp }
        if let dts {
            if let lastDts, dts < lastDts { throw .decreasingDts }
            guard pts >= dts else { throw .ptsBeforeDts }
        }
        if isFrame, pending.contains(where: { $0.pts == pts }) || (held != nil && outstanding.contains(pts)) {
            throw .sharedTimestamp
        }
        var ready: [Keyframe] = []
        if let dts {
            // Keyframes whose pts is below this dts are final: this packet and every later one shows later.
            pending.removeAll { keyframe in
                guard keyframe.pts < dts else { return false }
                ready.append(keyframe)
                return true
            }
            outstanding.removeAll { $0 < dts }
            lastDts = dts
        }
        if isFrame { count(frame: pts, held: held) }
        return ready.sorted { $0.pts < $1.pts }
    }

    /// Counts a shown frame into the pending keyframes, and makes it pending when it is a keyframe.
    private mutating func count(frame pts: Int64, held: Held?) {
        for i in pending.indices where pts < pending[i].pts { pending[i].display += 1 }
        if let held {
            let notSmaller = outstanding.count(where: { $0 >= pts })
            pending.append(Keyframe(pts: pts, display: framesRead - notSmaller, held: held))
        }
        framesRead += 1
        outstanding.append(pts)
    }

    /// The end of the stream: every pending keyframe is final. Returns them in display order.
    mutating func finish() -> [Keyframe] {
        defer { pending = [] }
        return pending.sorted { $0.pts < $1.pts }
    }

    /// Whether any frame was read.
    var sawFrames: Bool { framesRead > 0 }
}
