#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A file written through a buffer and made durable before it becomes visible: write to a temporary name,
/// fsync, rename over the final name, fsync the directory. A kill at any instant leaves either the old
/// state or the complete new file, never a torn one.
final class DurableFile {
    let finalPath: String
    let temporaryPath: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private static let flushSize = 1 << 20
    /// Bytes written to the file so far, and how many of them writeback was already started for.
    private var written = 0
    private var writebackStarted = 0
    private static let writebackChunk = 8 << 20

    /// `shared`: several processes may write this file at once (the run-wide `failures.jsonl`), so the
    /// temporary name carries the process id and a random tag. Otherwise it is fixed, so a redo
    /// overwrites a crashed attempt's leftover.
    init(path: String, shared: Bool = false) throws {
        finalPath = path
        let url = URL(fileURLWithPath: path)
        let suffix = shared ? ".\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp" : ".tmp"
        temporaryPath = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent)\(suffix)").path
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw PipelineError.output(path: temporaryPath, message: "cannot create: \(errnoText())") }
        buffer.reserveCapacity(Self.flushSize)
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    func write(_ bytes: [UInt8]) throws {
        if buffer.count + bytes.count > Self.flushSize { try flush() }
        if bytes.count >= Self.flushSize { try writeAll(bytes) } else { buffer += bytes }
    }

    func write(zeros count: Int) throws {
        try write([UInt8](repeating: 0, count: count))
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try writeAll(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let count = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    throw PipelineError.output(path: temporaryPath, message: "write failed: \(errnoText())")
                }
                offset += count
            }
        }
        written += bytes.count
        startWriteback()
    }

    /// Every few MB, asks the kernel to start writing the new bytes out (on Linux, POSIX_FADV_DONTNEED
    /// starts writeback without waiting, and drops the pages once clean: a written shard is not read
    /// back), so a large shard's `fsync` in `commit` finds little left to do instead of stalling the run
    /// at its end. Durability still comes from that fsync.
    private func startWriteback() {
        #if os(Linux)
        guard written - writebackStarted >= Self.writebackChunk else { return }
        _ = posix_fadvise(fd, off_t(writebackStarted), off_t(written - writebackStarted), POSIX_FADV_DONTNEED)
        writebackStarted = written
        #endif
    }

    /// Flushes, fsyncs, closes and renames into place; `beforeRename` runs between fsync and rename
    /// (the crash-injection point tests use).
    func commit(beforeRename: () throws -> Void = {}) throws {
        try flush()
        guard fsync(fd) == 0 else { throw PipelineError.output(path: temporaryPath, message: "fsync failed: \(errnoText())") }
        close(fd)
        fd = -1
        try beforeRename()
        guard rename(temporaryPath, finalPath) == 0 else {
            throw PipelineError.output(path: finalPath, message: "rename failed: \(errnoText())")
        }
        syncDirectory(of: finalPath)
    }

    /// Closes and deletes the temporary file (an interrupted shard that will be redone).
    func abandon() {
        if fd >= 0 { close(fd); fd = -1 }
        unlink(temporaryPath)
    }

    /// Writes `bytes` to `path` durably in one go.
    static func write(_ bytes: [UInt8], to path: String, shared: Bool = false, beforeRename: () throws -> Void = {}) throws {
        let file = try DurableFile(path: path, shared: shared)
        try file.write(bytes)
        try file.commit(beforeRename: beforeRename)
    }
}

/// fsync of the directory holding `path`, so a completed rename survives a power loss.
func syncDirectory(of path: String) {
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
    let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if fd >= 0 {
        _ = fsync(fd)
        close(fd)
    }
}

func errnoText() -> String { String(cString: strerror(errno)) }
