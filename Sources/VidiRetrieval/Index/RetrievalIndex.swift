#if canImport(Glibc)
import Glibc
#endif
import COpenBLAS
import Dispatch
import Foundation

/// A `.vidx` index, memory-mapped read-only, with exact WTI search and a two-stage mode (candidates by one
/// pooled vector per video, exact WTI rerank of the top C).
public final class RetrievalIndex: @unchecked Sendable {
    // @unchecked: the mapping is read-only and lives as long as the object; nothing mutates after init.
    public let path: String
    public let metadata: IndexFormat.Metadata
    public let count: Int
    public let slots: Int
    public let dimension: Int
    public let storage: IndexFormat.Storage
    private let base: UnsafeMutableRawPointer
    private let size: Int
    private let layout: IndexFormat.Layout

    /// Opens and checks `path`: magic, version, header checksum, sizes, metadata; the payload checksum
    /// when `verify` (default: files up to 256 MiB; `verify()` checks a larger one on demand).
    public init(path: String, verify: Bool? = nil) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw RetrievalError.index(path: path, reason: "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw RetrievalError.index(path: path, reason: "cannot stat") }
        let size = Int(st.st_size)
        guard size >= IndexFormat.headerSize else { throw RetrievalError.index(path: path, reason: "\(size) bytes is too short for an index header") }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), mapped != MAP_FAILED else {
            throw RetrievalError.index(path: path, reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        let raw = UnsafeRawBufferPointer(start: mapped, count: size)
        func fail(_ reason: String) -> RetrievalError {
            munmap(mapped, size)
            return RetrievalError.index(path: path, reason: reason)
        }
        func read<T: FixedWidthInteger>(_ type: T.Type, _ offset: Int) -> T { T(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: T.self)) }
        guard Array(raw[0..<8]) == IndexFormat.magic else { throw fail("not a vidi index (bad magic)") }
        guard read(UInt32.self, 44) == IndexFormat.crc32(UnsafeRawBufferPointer(rebasing: raw[0..<44])) else { throw fail("header checksum mismatch") }
        let version = read(UInt32.self, 8)
        guard version == IndexFormat.version else { throw fail("index version \(version), this vidi reads version \(IndexFormat.version)") }
        guard let storage = IndexFormat.Storage(rawValue: read(UInt32.self, 12)) else { throw fail("unknown storage type") }
        let count = Int(read(UInt64.self, 16)), slots = Int(read(UInt32.self, 24)), d = Int(read(UInt32.self, 28))
        let metadataBytes = Int(read(UInt64.self, 32))
        guard count > 0, slots > 0, d > 0, count < 1 << 40, metadataBytes < 1 << 40 else { throw fail("impossible sizes in the header") }
        let layout = IndexFormat.Layout(videos: count, slots: slots, dimension: d, storage: storage, metadataBytes: metadataBytes)
        guard layout.end == size else { throw fail("\(size) bytes, the header describes \(layout.end): truncated or corrupted") }
        if verify ?? (size <= 256 << 20) {
            guard read(UInt32.self, 40) == IndexFormat.crc32(UnsafeRawBufferPointer(rebasing: raw[IndexFormat.headerSize...])) else {
                throw fail("payload checksum mismatch: the file is corrupted")
            }
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        guard let metadata = try? decoder.decode(IndexFormat.Metadata.self, from: Data(raw[IndexFormat.headerSize..<(IndexFormat.headerSize + metadataBytes)])),
              metadata.ids.count == count else { throw fail("unreadable metadata") }
        self.metadata = metadata
        self.base = mapped; self.size = size
        self.count = count; self.slots = slots; self.dimension = d; self.storage = storage; self.layout = layout
    }

    deinit { munmap(base, size) }

    /// Checks the payload checksum.
    public func verify() throws {
        let raw = UnsafeRawBufferPointer(start: base, count: size)
        let stored = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 40, as: UInt32.self))
        guard stored == IndexFormat.crc32(UnsafeRawBufferPointer(rebasing: raw[IndexFormat.headerSize...])) else {
            throw RetrievalError.index(path: path, reason: "payload checksum mismatch: the file is corrupted")
        }
    }

    public var interaction: Interaction { Interaction(rawValue: metadata.interaction) ?? .wti }
    var weightsPointer: UnsafePointer<Float> { UnsafePointer((base + layout.weights).assumingMemoryBound(to: Float.self)) }
    var countsPointer: UnsafePointer<UInt32> { UnsafePointer((base + layout.counts).assumingMemoryBound(to: UInt32.self)) }
    var pooledPointer: UnsafePointer<Float> { UnsafePointer((base + layout.pooled).assumingMemoryBound(to: Float.self)) }

    /// Valid frames of video `i`.
    public func frameCount(_ i: Int) -> Int { Int(UInt32(littleEndian: countsPointer[i])) }

    /// Video `i` as stored (normalised frames, weights).
    public func video(_ i: Int) throws -> IndexedVideo {
        let n = frameCount(i), d = dimension
        var features = [Float](repeating: 0, count: n * d)
        features.withUnsafeMutableBufferPointer { copyFeatures(from: i, videos: 1, into: $0.baseAddress!, rows: n) }
        let w = Array(UnsafeBufferPointer(start: weightsPointer + i * slots, count: n))
        return try IndexedVideo(id: metadata.ids[i], features: features, weights: w)
    }

    /// Frame features of videos `[start, start + videos)` as float32 into `out`; `rows` limits a single
    /// video's copy to its valid frames.
    func copyFeatures(from start: Int, videos: Int, into out: UnsafeMutablePointer<Float>, rows: Int? = nil) {
        let elements = (rows ?? videos * slots) * dimension
        let offset = start * slots * dimension
        switch storage {
        case .float32:
            out.update(from: (base + layout.features).assumingMemoryBound(to: Float.self) + offset, count: elements)
        case .float16:
            let src = (base + layout.features).assumingMemoryBound(to: UInt16.self) + offset
            for k in 0..<elements { out[k] = Float(Float16(bitPattern: UInt16(littleEndian: src[k]))) }
        }
    }

    public struct Hit: Codable, Equatable, Sendable {
        public var rank: Int
        public var video: Int
        public var id: String
        public var score: Float
    }

    public enum Mode: Sendable, Equatable {
        case exact
        /// Candidates: the top `candidates` by pooled-vector dot product; then exact WTI on those.
        case twoStage(candidates: Int)
    }

    /// The `top` videos for `query` (its valid tokens, normalised; weights), best first; ties by index.
    /// `interaction` .ti replaces the stored video weights by 1/count (the query's weights are the caller's).
    public func search(_ query: ScoringQuery, top: Int, mode: Mode = .exact, interaction: Interaction? = nil,
                       restrictedTo rows: [Int]? = nil, threads: Int = 2) throws -> [Hit] {
        guard query.dimension == dimension else {
            throw RetrievalError.shape("query is \(query.dimension)-d, index \(path) holds \(dimension)-d features")
        }
        let k = max(0, min(top, count))
        let useTI = (interaction ?? self.interaction) == .ti
        var scores: [(Int, Float)]
        switch mode {
        case .exact:
            if let rows, let bad = rows.first(where: { $0 < 0 || $0 >= count }) {
                throw RetrievalError.invalidArgument("candidate row \(bad) is outside the index's \(count) videos")
            }
            scores = exactScores(query, videos: rows.map { Array(Set($0)).sorted() } ?? Array(0..<count), useTI: useTI, threads: threads)
        case .twoStage(let c):
            let candidates = pooledCandidates(query, count: max(k, min(c, count)))
            scores = exactScores(query, videos: candidates, useTI: useTI, threads: threads)
        }
        scores.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        return scores.prefix(k).enumerated().map { Hit(rank: $0.offset + 1, video: $0.element.0, id: metadata.ids[$0.element.0], score: $0.element.1) }
    }

    /// The query's normalised weighted mean · each video's pooled vector; the best `count` indices.
    func pooledCandidates(_ query: ScoringQuery, count c: Int) -> [Int] {
        let q = IndexedVideo.pool(query.tokens, weights: query.weights, dimension: dimension)
        var dots = [Float](repeating: 0, count: count)
        q.withUnsafeBufferPointer { qp in
            dots.withUnsafeMutableBufferPointer { out in
                cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(count), Int32(dimension), 1, pooledPointer, Int32(dimension),
                            qp.baseAddress, 1, 0, out.baseAddress, 1)
            }
        }
        return TopK.indices(dots, k: c)
    }

    /// Exact scores of `videos` (any order), split over `threads` threads of single-threaded SGEMM.
    func exactScores(_ query: ScoringQuery, videos: [Int], useTI: Bool, threads: Int) -> [(Int, Float)] {
        guard !videos.isEmpty else { return [] }
        let parts = max(1, min(threads, videos.count / WTIScorer.block + 1))
        // Whole scoring blocks per part: a video's scores then come from the same SGEMM whatever `threads` is.
        let block = WTIScorer.block
        let chunk = ((videos.count + parts - 1) / parts + block - 1) / block * block
        let results = DisjointWrites(UnsafeMutableBufferPointer<Float>.allocate(capacity: videos.count))
        defer { results.buffer.deallocate() }
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let lo = part * chunk, hi = min(videos.count, lo + chunk)
            guard lo < hi else { return }
            scoreRange(query, videos: videos[lo..<hi], useTI: useTI, out: UnsafeMutableBufferPointer(rebasing: results.buffer[lo..<hi]))
        }
        return videos.enumerated().map { ($0.element, results.buffer[$0.offset]) }
    }

    private func scoreRange(_ query: ScoringQuery, videos: ArraySlice<Int>, useTI: Bool, out: UnsafeMutableBufferPointer<Float>) {
        let b = WTIScorer.block, rowSize = slots * dimension
        var features = [Float](repeating: 0, count: b * rowSize)
        var weights = [Float](repeating: 0, count: b * slots)
        var scratch: [Float] = []
        var blockScores = [Float](repeating: 0, count: b)
        let list = Array(videos)
        var start = 0
        // Consecutive runs of video indices are copied in one go (exact search: the whole index).
        while start < list.count {
            let n = min(b, list.count - start)
            features.withUnsafeMutableBufferPointer { f in
                weights.withUnsafeMutableBufferPointer { w in
                    var k = 0
                    while k < n {
                        var run = 1
                        while k + run < n, list[start + k + run] == list[start + k] + run { run += 1 }
                        let v = list[start + k]
                        copyFeatures(from: v, videos: run, into: f.baseAddress! + k * rowSize)
                        for r in 0..<run {
                            let video = v + r
                            if useTI {
                                let c = frameCount(video)
                                for j in 0..<slots { w[(k + r) * slots + j] = j < c ? 1 / Float(c) : 0 }
                            } else {
                                (w.baseAddress! + (k + r) * slots).update(from: weightsPointer + video * slots, count: slots)
                            }
                        }
                        k += run
                    }
                }
            }
            features.withUnsafeBufferPointer { f in
                weights.withUnsafeBufferPointer { w in
                    blockScores.withUnsafeMutableBufferPointer { o in
                        WTIScorer.score(query, features: f, weights: w, count: n, slots: slots, out: o, scratch: &scratch)
                    }
                }
            }
            for k in 0..<n { out[start + k] = blockScores[k] }
            start += n
        }
    }

    /// Every video's ids and counts, plus its stored content (for `add`, which rewrites the file).
    public func allVideos() throws -> [IndexedVideo] { try (0..<count).map(video) }

    /// The pooled vectors `[N, D]` (for export to an external vector engine).
    public func pooledVectors() -> [Float] { Array(UnsafeBufferPointer(start: pooledPointer, count: count * dimension)) }
}

/// A buffer that parallel iterations write at disjoint ranges only.
struct DisjointWrites: @unchecked Sendable {
    // @unchecked: each concurrentPerform iteration writes its own range; reads happen after all finish.
    let buffer: UnsafeMutableBufferPointer<Float>
    init(_ buffer: UnsafeMutableBufferPointer<Float>) { self.buffer = buffer }
}

/// Top-k selection: indices of the `k` largest values, best first, ties by the lower index.
enum TopK {
    static func indices(_ values: [Float], k: Int) -> [Int] {
        guard k > 0, !values.isEmpty else { return [] }
        func better(_ a: Int, _ b: Int) -> Bool { values[a] != values[b] ? values[a] > values[b] : a < b }
        if k >= values.count { return values.indices.sorted(by: better) }
        // A min-heap (by "better") of the best k seen so far: its root is the worst kept.
        var heap: [Int] = []
        heap.reserveCapacity(k)
        func siftDown(_ start: Int) {
            var i = start
            while true {
                let l = 2 * i + 1, r = l + 1
                var worst = i
                if l < heap.count, better(heap[worst], heap[l]) { worst = l }
                if r < heap.count, better(heap[worst], heap[r]) { worst = r }
                if worst == i { return }
                heap.swapAt(i, worst); i = worst
            }
        }
        for i in values.indices {
            if heap.count < k {
                heap.append(i)
                var c = heap.count - 1
                while c > 0 {
                    let p = (c - 1) / 2
                    guard better(heap[p], heap[c]) else { break }
                    heap.swapAt(p, c); c = p
                }
            } else if better(i, heap[0]) {
                heap[0] = i
                siftDown(0)
            }
        }
        return heap.sorted(by: better)
    }
}
