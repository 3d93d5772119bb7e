#if canImport(Glibc)
import Glibc
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let systemWrite = Darwin.write
#endif

/// Writes a file piece by piece into a temporary sibling and renames it into place on `commit()`,
/// so readers never see a half-written checkpoint and large tensors are written without first
/// assembling the whole file in memory. An uncommitted writer removes its temporary file.
final class AtomicFileWriter {
    let path: String
    private let temporaryPath: String
    private var fd: Int32
    private var committed = false

    init(path: String) throws(TensorFileError) {
        self.path = path
        // mkstemp gives a unique name in the destination directory, so rename stays on one filesystem.
        var template = Array((path + ".tmp-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkstemp($0) } ?? -1 }
        guard fd >= 0 else {
            throw TensorFileError(.io, path: path, "cannot create a temporary file next to it: \(MappedFile.lastError())")
        }
        self.fd = fd
        self.temporaryPath = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // mkstemp creates 0600; give the file the usual permissions a plain create would (0666 & ~umask).
        let mask = umask(0)
        umask(mask)
        fchmod(fd, 0o666 & ~mask)
    }

    deinit {
        if fd >= 0 { close(fd) }
        if !committed { unlink(temporaryPath) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard var base = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = systemWrite(fd, base, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                throw TensorFileError(.io, path: path, "write failed: \(MappedFile.lastError())")
            }
            remaining -= written
            base += written
        }
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in try write(raw) }
    }

    /// Closes the temporary file and renames it over `path`.
    func commit() throws {
        let status = close(fd)
        fd = -1
        guard status == 0 else { throw TensorFileError(.io, path: path, "close failed: \(MappedFile.lastError())") }
        guard rename(temporaryPath, path) == 0 else {
            throw TensorFileError(.io, path: path, "cannot rename the temporary file into place: \(MappedFile.lastError())")
        }
        committed = true
    }
}
