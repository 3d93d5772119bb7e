#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory, unmapped when the last reference goes away.
///
/// Tensors loaded from a safetensors file are views onto this mapping, so loading a checkpoint costs
/// page faults on first touch instead of a copy. Each such tensor's storage keeps the mapping alive.
///
/// `@unchecked Sendable`: the mapping is `PROT_READ` and `MAP_PRIVATE`, every stored property is a `let`,
/// and nothing writes through `bytes`; sharing an immutable region between threads is safe. (If another
/// process truncates the file while it is mapped, touching the lost pages raises SIGBUS; that is the
/// usual contract of mmap and the reason callers should not rewrite checkpoints in place.)
final class MappedFile: @unchecked Sendable {
    let path: String
    /// The file's bytes; empty (with a nil base) for an empty file, which mmap cannot map.
    let bytes: UnsafeRawBufferPointer

    init(path: String) throws(TensorFileError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw TensorFileError(.io, path: path, "cannot open: \(Self.lastError())") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw TensorFileError(.io, path: path, "cannot stat: \(Self.lastError())") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw TensorFileError(.io, path: path, "not a regular file") }
        let size = Int(info.st_size)
        guard size > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw TensorFileError(.io, path: path, "cannot mmap \(size) bytes: \(Self.lastError())")
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        if let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        }
    }

    static func lastError() -> String {
        String(cString: strerror(errno))
    }
}
