import VidiFormats

/// One sample's undecoded members as read from a shard: WebDataset groups consecutive tar members that
/// share a key (the path up to the first dot of the file name) and names each by the rest, its
/// extension (`frames.npy`, `cls`, `json`), lower-cased.
public struct RawSample: Sendable, Equatable {
    public var key: String
    /// The shard it came from (WebDataset's `__url__`).
    public var shard: String
    /// Extension -> bytes, in archive order.
    public var members: [(String, [UInt8])]

    public init(key: String, shard: String, members: [(String, [UInt8])]) {
        self.key = key
        self.shard = shard
        self.members = members
    }

    public static func == (a: RawSample, b: RawSample) -> Bool {
        a.key == b.key && a.shard == b.shard && a.members.elementsEqual(b.members) { $0.0 == $1.0 && $0.1 == $1.1 }
    }
}

/// WebDataset's naming rules (webdataset 1.0 `tariterators.py`), written out without regular expressions.
enum WebDatasetNaming {
    /// `base_plus_ext`: the regex `^((?:.*/|)[^.]+)[.]([^/]*)$`, matched as Python's engine does (longest
    /// directory part first). Nil for names without an extension, which WebDataset skips.
    static func split(_ name: String) -> (key: String, extension: String)? {
        let bytes = Array(name.utf8)
        let dot = UInt8(ascii: "."), slash = UInt8(ascii: "/")
        // Candidate starts of the `[^.]+` part: after each '/', longest prefix first, then the start.
        var starts = bytes.indices.filter { bytes[$0] == slash }.map { $0 + 1 }.reversed().map { $0 }
        starts.append(0)
        for start in starts where start < bytes.count {
            guard let firstDot = bytes[start...].firstIndex(of: dot), firstDot > start else { continue }
            guard !bytes[(firstDot + 1)...].contains(slash) else { continue }
            return (String(decoding: bytes[..<firstDot], as: UTF8.self),
                    String(decoding: bytes[(firstDot + 1)...], as: UTF8.self))
        }
        return nil
    }

    /// Metadata members WebDataset skips (`__[^/]*__($|/)`): a first path component like `__meta__`.
    static func isMetadata(_ name: String) -> Bool {
        let component = name.prefix { $0 != "/" }
        return component.count >= 4 && component.hasPrefix("__") && component.hasSuffix("__")
    }
}

/// Reads one shard's samples in order. Damage (a corrupt header, truncated data) ends the shard: the
/// error is thrown after the samples before it. The sample being gathered when the damage hit may lack
/// members; it is kept only when it has the same members as the sample before it (WebDataset yields it
/// whatever it holds, which breaks collation downstream).
struct ShardSampleReader {
    let shard: String
    private let reader: TarFileReader
    private var pending: RawSample?
    private var lastMembers: [String]?
    private var failure: Error?
    private var finished = false

    init(shard: String) throws(TarFileError) {
        self.shard = shard
        reader = try TarFileReader(path: shard)
    }

    /// The next complete sample, nil at the end of the shard.
    mutating func next() throws -> RawSample? {
        if let failure {
            self.failure = nil
            finished = true
            throw failure
        }
        while !finished {
            let entry: TarEntry?
            do {
                entry = try reader.next()
            } catch {
                finished = true
                let cut = pending
                pending = nil
                guard let cut, cut.members.map(\.0) == lastMembers else { throw error }
                failure = error
                finished = false
                return cut
            }
            guard let entry else {
                finished = true
                break
            }
            if WebDatasetNaming.isMetadata(entry.name) { continue }
            guard let (key, ext) = WebDatasetNaming.split(entry.name) else { continue }
            let suffix = ext.lowercased()
            if var sample = pending, sample.key == key {
                guard !sample.members.contains(where: { $0.0 == suffix }) else {
                    finished = true
                    pending = nil
                    throw TrainingError.badSample(key: key, reason: "duplicate member '\(suffix)' in \(shard)")
                }
                sample.members.append((suffix, entry.bytes))
                pending = sample
                continue
            }
            let done = pending
            pending = RawSample(key: key, shard: shard, members: [(suffix, entry.bytes)])
            if let done {
                lastMembers = done.members.map(\.0)
                return done
            }
        }
        defer { pending = nil }
        return pending
    }
}
