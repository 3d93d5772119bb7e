import Foundation
import VidiFormats

/// Where a pipeline's samples go. A writer fills one shard at a time and makes it visible only in
/// `commit`, after which the runner writes the shard's stats file (the "done" mark).
protocol ShardWriter: AnyObject {
    /// What this writer names `shard`'s committed output (to find it on resume).
    func outputPath(shard: String) -> String
    func begin(shard: String) throws
    func write(_ sample: Sample) throws
    /// Makes the shard durable and visible; `beforeRename` is the crash-injection point.
    func commit(beforeRename: () throws -> Void) throws
    /// Drops an unfinished shard's temporary output.
    func abandon()
}

/// WebDataset: `<dir>/<shard>.tar`, each sample's files named `<key>.<name>`.
final class WebDatasetWriter: ShardWriter {
    let directory: String
    private var file: DurableFile?

    init(directory: String) { self.directory = directory }

    func outputPath(shard: String) -> String { (directory as NSString).appendingPathComponent("\(shard).tar") }

    func begin(shard: String) throws {
        file = try DurableFile(path: outputPath(shard: shard))
    }

    func write(_ sample: Sample) throws {
        guard let file else { preconditionFailure("write before begin") }
        for member in sample.files {
            try file.write(TarWriter.header(name: "\(sample.key).\(member.name)", size: member.bytes.count))
            try file.write(member.bytes)
            try file.write(zeros: TarWriter.padding(after: member.bytes.count))
        }
    }

    func commit(beforeRename: () throws -> Void) throws {
        guard let file else { preconditionFailure("commit before begin") }
        try file.write(zeros: 2 * TarWriter.blockSize)  // end-of-archive marker
        try file.commit(beforeRename: beforeRename)
        self.file = nil
    }

    func abandon() {
        file?.abandon()
        file = nil
    }
}

/// A plain tree: `<dir>/<shard>/<key>.<name>`. The shard is filled under a hidden temporary folder,
/// each file fsynced, then the folder is renamed into place.
final class DirectoryWriter: ShardWriter {
    let directory: String
    private var temporary: String?
    private var final: String?

    init(directory: String) { self.directory = directory }

    func outputPath(shard: String) -> String { (directory as NSString).appendingPathComponent(shard) }

    func begin(shard: String) throws {
        let final = outputPath(shard: shard)
        let temporary = (directory as NSString).appendingPathComponent(".\(shard).tmp")
        try? FileManager.default.removeItem(atPath: temporary)
        do {
            try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        } catch {
            throw PipelineError.output(path: temporary, message: "cannot create directory: \(error.localizedDescription)")
        }
        self.temporary = temporary
        self.final = final
    }

    func write(_ sample: Sample) throws {
        guard let temporary else { preconditionFailure("write before begin") }
        for member in sample.files {
            try DurableFile.write(member.bytes, to: (temporary as NSString).appendingPathComponent("\(sample.key).\(member.name)"))
        }
    }

    func commit(beforeRename: () throws -> Void) throws {
        guard let temporary, let final else { preconditionFailure("commit before begin") }
        try beforeRename()
        // A shard redone after a crash between rename and stats replaces its earlier, identical copy.
        try? FileManager.default.removeItem(atPath: final)
        guard rename(temporary, final) == 0 else {
            throw PipelineError.output(path: final, message: "rename failed: \(errnoText())")
        }
        syncDirectory(of: final)
        self.temporary = nil
        self.final = nil
    }

    func abandon() {
        if let temporary { try? FileManager.default.removeItem(atPath: temporary) }
        temporary = nil
        final = nil
    }
}
