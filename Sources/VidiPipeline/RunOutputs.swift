import Foundation
import VidiFormats

/// The per-shard parts of run-level outputs: `parts/<output>/<shard>.tar`, one member
/// `<key>.record` per successful video in manifest order (a tar, so Python reads parts too). Written
/// durably after the shard and before its stats file, so a finished shard always has its parts.
enum RunOutputParts {
    static func directory(_ output: String, in root: String) -> String {
        ((root as NSString).appendingPathComponent("parts") as NSString).appendingPathComponent(output)
    }

    static func path(_ output: String, shard: String, in root: String) -> String {
        (directory(output, in: root) as NSString).appendingPathComponent("\(shard).tar")
    }

    static func write(_ records: [RunRecord], directory root: String, output: String, shard: String) throws {
        let folder = directory(output, in: root)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw PipelineError.output(path: folder, message: "cannot create: \(error.localizedDescription)")
        }
        var bytes: [UInt8] = []
        for record in records {
            bytes += try TarWriter.header(name: "\(record.key).record", size: record.bytes.count)
            bytes += record.bytes
            bytes += [UInt8](repeating: 0, count: TarWriter.padding(after: record.bytes.count))
        }
        bytes += [UInt8](repeating: 0, count: 2 * TarWriter.blockSize)
        try DurableFile.write(bytes, to: path(output, shard: shard, in: root))
    }

    static func read(_ output: String, shard: String, in root: String) throws -> [RunRecord] {
        let file = path(output, shard: shard, in: root)
        guard FileManager.default.fileExists(atPath: file) else {
            throw PipelineError.output(path: file, message: "missing: the shard finished without this stage; rerun it with --overwrite")
        }
        do {
            return try TarFileReader.entries(path: file).map { member in
                RunRecord(key: String(member.name.prefix { $0 != "." }), bytes: member.bytes)
            }
        } catch {
            throw PipelineError.output(path: file, message: "damaged part: \(error)")
        }
    }
}

extension PipelineRunner {
    /// Writes every run-level output whose shards are all done (any process's), merging the parts in
    /// shard order; names those still waiting for shards. Safe to repeat: the same parts give the
    /// same bytes, written atomically. `vidi run --merge` calls this alone.
    public func mergeRunOutputs() throws -> (written: [String], pending: [String]) {
        let layout = self.layout
        let names = (0..<layout.shardCount).map { layout.name(ofShard: $0) }
        let unfinished = names.filter { !FileManager.default.fileExists(atPath: ShardStats.path(directory: outputDirectory, shard: $0)) }
        guard unfinished.isEmpty else {
            return ([], runOutputs.map { "\($0.file): waiting for \(unfinished.count) shard(s) (first: \(unfinished[0]))" })
        }
        var written: [String] = []
        for (stage, file) in runOutputs {
            var records: [RunRecord] = []
            for shard in names { records += try RunOutputParts.read(file, shard: shard, in: outputDirectory) }
            let path = (outputDirectory as NSString).appendingPathComponent(file)
            let bytes: [UInt8]
            do { bytes = try stage.merge(records) } catch {
                throw PipelineError.output(path: path, message: "stage \(stage.name) could not merge its records: \(error)")
            }
            do { try DurableFile.write(bytes, to: path, shared: true) } catch let error as FileWriteError {
                throw PipelineError.output(path: error.path, message: error.message)
            }
            written.append(path)
        }
        return (written, [])
    }
}
