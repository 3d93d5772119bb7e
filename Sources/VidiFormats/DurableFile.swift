#if canImport(Glibc)
import Glibc
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let systemWrite = Darwin.write
#endif
import Foundation

/// Why a file could not be written durably.
public struct FileWriteError: Error, CustomStringConvertible, Sendable, Equatable {
    public let path: String
    public let message: String
    public init(path: String, _ message: String) {
        self.path = path
        self.message = message
    }
    public var description: String { "\(path): \(message)" }
}

/// Vidi's one way to write a file that others read: through a buffer into a temporary sibling, fsync,
/// rename over the final name, fsync the directory. A kill at any instant leaves either the old file or
/// the complete new one, never a torn one (shards, stats, checkpoints, tensors, indexes).
///
/// An abandoned or failed write leaves its temporary file, exactly as a SIGKILL would; writers that
/// redo work overwrite it (fixed temporary name) and `abandon()` removes it.
public final class DurableFile {
    public let finalPath: String
    public let temporaryPath: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private static let flushSize = 1 << 20
    /// Bytes written to the file so far, and how many of them writeback was already started for.
    private var written = 0
    private var writebackStarted = 0
    private static let writebackChunk = 8 << 20

    /// `shared`: several processes may write this file at once (a run-wide list), so the temporary name
    /// carries the process id and a random tag. Otherwise it is fixed, so a redo overwrites a crashed
    /// attempt's leftover.
    public init(path: String, shared: Bool = false) throws {
        finalPath = path
        let url = URL(fileURLWithPath: path)
        let suffix = shared ? ".\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp" : ".tmp"
        temporaryPath = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent)\(suffix)").path
        // 0666 & ~umask, the permissions a plain create gives.
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw FileWriteError(path: temporaryPath, "cannot create: \(errnoText())") }
        buffer.reserveCapacity(Self.flushSize)
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws in try write(raw) }
    }

    /// Writes bytes the caller owns (a tensor's storage) without copying large ones.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        if buffer.count + bytes.count > Self.flushSize { try flush() }
        if bytes.count >= Self.flushSize { try writeAll(bytes) } else { buffer.append(contentsOf: bytes) }
    }

    public func write(zeros count: Int) throws {
        try write([UInt8](repeating: 0, count: count))
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws in try writeAll(raw) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ raw: UnsafeRawBufferPointer) throws {
        guard let base = raw.baseAddress else { return }
        var offset = 0
        while offset < raw.count {
            let count = systemWrite(fd, base + offset, raw.count - offset)
            if count < 0 {
                if errno == EINTR { continue }
                throw FileWriteError(path: temporaryPath, "write failed: \(errnoText())")
            }
            offset += count
        }
        written += raw.count
        startWriteback()
    }

    /// Every few MB, asks the kernel to start writing the new bytes out (on Linux, POSIX_FADV_DONTNEED
    /// starts writeback without waiting, and drops the pages once clean: a written shard is not read
    /// back), so a large file's `fsync` in `commit` finds little left to do instead of stalling at the
    /// end. Durability still comes from that fsync.
    private func startWriteback() {
        #if os(Linux)
        guard written - writebackStarted >= Self.writebackChunk else { return }
        _ = posix_fadvise(fd, off_t(writebackStarted), off_t(written - writebackStarted), POSIX_FADV_DONTNEED)
        writebackStarted = written
        #endif
    }

    /// Flushes, fsyncs, closes and renames into place; `beforeRename` runs between fsync and rename
    /// (the crash-injection point tests use).
    public func commit(beforeRename: () throws -> Void = {}) throws {
        try flush()
        guard fsync(fd) == 0 else { throw FileWriteError(path: temporaryPath, "fsync failed: \(errnoText())") }
        let closed = close(fd)
        fd = -1
        guard closed == 0 else { throw FileWriteError(path: temporaryPath, "close failed: \(errnoText())") }
        try beforeRename()
        guard rename(temporaryPath, finalPath) == 0 else {
            throw FileWriteError(path: finalPath, "rename failed: \(errnoText())")
        }
        syncDirectory(of: finalPath)
    }

    /// Closes and deletes the temporary file (an interrupted or failed write).
    public func abandon() {
        if fd >= 0 { close(fd); fd = -1 }
        unlink(temporaryPath)
    }

    /// Writes `bytes` to `path` durably in one go.
    public static func write(_ bytes: [UInt8], to path: String, shared: Bool = false, beforeRename: () throws -> Void = {}) throws {
        let file = try DurableFile(path: path, shared: shared)
        try file.write(bytes)
        try file.commit(beforeRename: beforeRename)
    }

    /// Streams a file through `body` and commits it; a throw from `body` removes the temporary file.
    public static func write(to path: String, _ body: (DurableFile) throws -> Void) throws {
        let file = try DurableFile(path: path)
        do {
            try body(file)
            try file.commit()
        } catch {
            file.abandon()
            throw error
        }
    }
}

/// fsync of the directory holding `path`, so a completed rename survives a power loss.
package func syncDirectory(of path: String) {
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
    let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if fd >= 0 {
        _ = fsync(fd)
        close(fd)
    }
}

package func errnoText() -> String { String(cString: strerror(errno)) }
