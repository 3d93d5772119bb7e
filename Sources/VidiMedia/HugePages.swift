#if canImport(Glibc)
import Glibc
#endif

/// Model inputs are large (8 x 3 x 224² floats is 4.8 MB; a 180-frame clip224 batch 108 MB) and written
/// once, front to back, right after they are allocated. With transparent huge pages in `madvise` mode
/// (Debian's default) every 4 KB of fresh memory costs a page fault on first touch, about a fifth of the
/// CPU of a 360p `clip224` batch in `perf`; asking for 2 MB pages makes that one fault per 2 MB.
enum HugePages {
    static let size = 2 << 20

    /// Advises huge pages for the whole 2 MB blocks inside `buffer` (ignored for small buffers; a kernel
    /// that refuses only costs speed).
    static func advise(_ buffer: UnsafeMutableRawBufferPointer) {
        #if canImport(Glibc)
        guard buffer.count >= 4 * size, let base = buffer.baseAddress else { return }
        let start = (Int(bitPattern: base) + size - 1) & ~(size - 1)
        let end = (Int(bitPattern: base) + buffer.count) & ~(size - 1)
        guard end > start, let pointer = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(pointer, end - start, MADV_HUGEPAGE)
        #endif
    }
}
