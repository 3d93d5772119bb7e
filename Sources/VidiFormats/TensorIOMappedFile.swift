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
package final class MappedFile {
    package let path: String
    /// The file's bytes; empty (with a nil base) for an empty file, which mmap cannot map.
    package let bytes: UnsafeRawBufferPointer
    package let descriptor: Int32

    package init(path: String) throws(TensorFileError) {
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

    package static func lastError() -> String {
        String(cString: strerror(errno))
    }
}
