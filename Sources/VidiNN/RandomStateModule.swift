import VidiTensor

/// A module that draws random numbers while it runs (dropout masks) from a generator it owns. Training
/// checkpoints save and restore every such generator by module path, so a resumed run draws the same
/// masks as an uninterrupted one.
public protocol RandomStateModule: Module {
    var generator: RandomGenerator { get set }
}
