#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory (for parsing headers and reading bytes in place), plus
/// its open descriptor, from which `viewStorage` maps single tensors for zero-copy loading.
///
/// Not `Sendable`: it lives with the file object that opened it. Tensor views do not hold on to it;
/// each view owns a mapping of its own pages, unmapped when its storage is freed, so tensors cross tasks
/// as plain values. (If another process truncates the file while it is mapped, touching the lost pages
/// raises SIGBUS; that is mmap's contract, and why checkpoints should be replaced, not rewritten in place.)
final class MappedFile {
    let path: String
    /// The file's bytes; empty (with a nil base) for an empty file, which mmap cannot map.
    let bytes: UnsafeRawBufferPointer
    private let descriptor: Int32

    init(path: String) throws(TensorFileError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw TensorFileError(.io, path: path, "cannot open: \(Self.lastError())") }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            close(fd)
            throw TensorFileError(.io, path: path, "cannot stat: \(Self.lastError())")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw TensorFileError(.io, path: path, "not a regular file")
        }
        let size = Int(info.st_size)
        guard size > 0 else {
            descriptor = fd
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            close(fd)
            throw TensorFileError(.io, path: path, "cannot mmap \(size) bytes: \(Self.lastError())")
        }
        descriptor = fd
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        if let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        }
        close(descriptor)
    }

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

    static func lastError() -> String {
        String(cString: strerror(errno))
    }
}
