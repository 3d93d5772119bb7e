import Synchronization

/// A stop request shared by the CLI's SIGINT handler, the runner and the stages' deadline checks.
public final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    public var isSet: Bool { flag.load(ordering: .acquiring) }

    public func set() { flag.store(true, ordering: .releasing) }
}
