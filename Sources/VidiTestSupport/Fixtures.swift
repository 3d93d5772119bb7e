import Foundation

/// Locates the repository's `Fixtures/` folder from this file's path, so tests need no resource bundles.
public enum Fixtures {
    /// The repository root (three levels above `Sources/VidiTestSupport/Fixtures.swift`).
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()

    public static let root: URL = repositoryRoot.appendingPathComponent("Fixtures")

    /// Absolute path of a fixture, e.g. `Fixtures.path("media/h264-bframes.mp4")`.
    public static func path(_ relative: String) -> String {
        root.appendingPathComponent(relative).path
    }

    /// A fresh, empty temporary directory for one test.
    public static func temporaryDirectory(_ label: String = "vidi-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
