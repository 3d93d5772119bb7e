import Foundation

/// The result of running an external tool (ffprobe, ffmpeg, python3) from a test.
public struct ToolOutput: Sendable {
    public let status: Int32
    public let stdout: Data
    public let stderr: String
    public var text: String { String(decoding: stdout, as: UTF8.self) }
}

public enum ToolError: Error, CustomStringConvertible {
    case notFound(String)
    public var description: String {
        switch self {
        case .notFound(let tool): return "\(tool) is not on PATH; install it to run this test"
        }
    }
}

/// Runs `tool` (looked up on PATH) with `arguments`, collecting stdout and stderr.
public func runTool(_ tool: String, _ arguments: [String], currentDirectory: URL? = nil) throws -> ToolOutput {
    guard let executable = findOnPath(tool) else { throw ToolError.notFound(tool) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let currentDirectory { process.currentDirectoryURL = currentDirectory }
    let out = Pipe()
    // stderr goes to a temporary file so a chatty tool cannot block on a second full pipe.
    let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("vidi-tool-\(UUID().uuidString).err")
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let errHandle = try FileHandle(forWritingTo: errURL)
    defer {
        try? errHandle.close()
        try? FileManager.default.removeItem(at: errURL)
    }
    process.standardOutput = out
    process.standardError = errHandle
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let errData = (try? Data(contentsOf: errURL)) ?? Data()
    return ToolOutput(status: process.terminationStatus, stdout: outData, stderr: String(decoding: errData, as: UTF8.self))
}

public func findOnPath(_ tool: String) -> String? {
    if tool.contains("/") { return FileManager.default.isExecutableFile(atPath: tool) ? tool : nil }
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":") {
        let candidate = "\(dir)/\(tool)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}
