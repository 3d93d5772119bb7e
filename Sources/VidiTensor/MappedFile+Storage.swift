#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import VidiFormats

extension MappedFile {
    /// Read-only storage over `range` of the file, backed by a mapping of just those pages that is
    /// unmapped when the storage is freed. The page cache is shared, so this costs no copy and no memory
    /// beyond the file's cached pages.
    func viewStorage(_ range: Range<Int>) throws(TensorFileError) -> TensorStorage {
        guard !range.isEmpty else { return TensorStorage(byteCount: 0) }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = range.lowerBound / page * page
        let length = range.upperBound - start
        guard let base = mmap(nil, length, PROT_READ, MAP_PRIVATE, descriptor, off_t(start)), base != MAP_FAILED else {
            throw TensorFileError(.io, path: path, "cannot mmap \(length) bytes at \(start): \(Self.lastError())")
        }
        // The deallocator captures the mapping as plain integers, which are Sendable.
        let address = Int(bitPattern: base)
        return TensorStorage(adopting: base + (range.lowerBound - start), byteCount: range.count, isReadOnly: true) { _, _ in
            munmap(UnsafeMutableRawPointer(bitPattern: address), length)
        }
    }

}
