import Synchronization

/// One recorded operation in the autograd graph (or a leaf: a tensor that requires grad).
///
/// Nodes point to their inputs' nodes only, so the graph is a DAG that lives exactly as long as the
/// tensors referring to it. Leaves accumulate their gradient across `backward()` calls (PyTorch semantics);
/// interior nodes keep nothing after a backward pass.
public final class GradNode: Sendable, CustomStringConvertible {
    /// Name of the operation that made the output (for error messages).
    public let op: String
    /// The output's shape; incoming gradients must have it.
    public let shape: [Int]
    /// Nodes of the inputs, in the order the backward closure returns gradients (nil: input tracks no grad).
    /// Behind a lock only so `deinit` can take them (see there); they never change otherwise.
    private let inputLinks: Mutex<[GradNode?]>
    var inputs: [GradNode?] { inputLinks.withLock { $0 } }
    let backwardFn: (@Sendable (Tensor) throws -> [Tensor?])?
    /// For a view of a region of its single input (narrow, slice): selects that region in a tensor of the
    /// input's shape, so backward adds the gradient there in place instead of building a zero-padded copy.
    let inputRegion: (@Sendable (Tensor) throws -> Tensor)?
    /// A leaf's accumulated gradient.
    let accumulated = Mutex<Tensor?>(nil)

    init(op: String, shape: [Int], inputs: [GradNode?], backward: (@Sendable (Tensor) throws -> [Tensor?])?,
         inputRegion: (@Sendable (Tensor) throws -> Tensor)? = nil) {
        self.op = op
        self.shape = shape
        self.inputLinks = Mutex(inputs)
        self.backwardFn = backward
        self.inputRegion = inputRegion
    }

    /// Frees long chains without recursion: releasing the last reference to a node would release its
    /// inputs from inside its deinit, and so on down the chain — one stack frame per recorded op, which
    /// overflows a worker thread's stack for graphs 100k ops deep. Instead, inputs that nothing else holds
    /// are emptied here, one at a time, before they are released.
    deinit {
        var pending = inputLinks.withLock { links -> [GradNode] in
            defer { links = [] }
            return links.compactMap { $0 }
        }
        while var node = pending.popLast() {
            if isKnownUniquelyReferenced(&node) {
                pending += node.inputLinks.withLock { links -> [GradNode] in
                    defer { links = [] }
                    return links.compactMap { $0 }
                }
            }
        }
    }

    public var isLeaf: Bool { backwardFn == nil }

    public var description: String { "GradNode(\(op), shape: \(shape))" }

    func accumulate(_ gradient: Tensor) throws {
        try accumulated.withLock { current in
            if let existing = current {
                current = try existing + gradient
            } else {
                current = gradient.contiguousData()
            }
        }
    }
}

/// Tape-based reverse-mode automatic differentiation with PyTorch semantics.
///
/// Operations record themselves with `Autograd.record`; `Tensor.backward()` walks the recorded graph from
/// the output in reverse topological order and accumulates gradients into leaves (`Tensor.grad`).
/// Recording is skipped inside `withNoGrad { }` and when no input requires grad.
public enum Autograd {
    /// False inside `withNoGrad`; task-local so concurrent tasks do not affect each other.
    @TaskLocal public static var isGradEnabled: Bool = true

    /// Attaches a backward function to `output` when any input requires grad; returns `output` (with the node).
    /// `op` names the operation in errors (default: the calling function).
    ///
    /// How to add a differentiable op: compute the value without recording (from raw buffers, or with tensor
    /// ops on `detached()` inputs), then call `record` once with the inputs that may need gradients.
    /// `backward` receives the gradient of the loss with respect to `output` (same shape as `output`) and
    /// returns one gradient per input, in the order of `inputs`, each of that input's shape (reduce
    /// broadcast axes with `sum(toShape:)`); return nil for an input without a gradient (an index tensor)
    /// or one that does not require grad. It runs with recording off, so it may use any tensor operation.
    /// Capture what it needs (detached inputs, the output); tensors are values, so later mutation of a
    /// caller's copy is never seen by the graph.
    ///
    /// ```swift
    /// extension Tensor {
    ///     /// x² (a stand-in for any custom kernel).
    ///     func squared() throws -> Tensor {
    ///         let x = detached()
    ///         let out = try x * x                                   // value only: x is detached
    ///         return Autograd.record(out, op: "square", inputs: [self]) { g in
    ///             [try g * x * 2]                                   // d(x²)/dx = 2x, shaped like x
    ///         }
    ///     }
    /// }
    /// ```
    public static func record(_ output: Tensor, op: String = #function, inputs: [Tensor],
                              backward: @escaping @Sendable (_ gradOutput: Tensor) throws -> [Tensor?]) -> Tensor {
        guard isGradEnabled, inputs.contains(where: { $0.gradNode != nil }) else { return output }
        var result = output
        result.gradNode = GradNode(op: op, shape: output.shape, inputs: inputs.map(\.gradNode), backward: backward)
        return result
    }

    /// Records `output`, a view of the region of `input` that `region` selects (applied to a tensor of
    /// `input`'s shape). Its gradient is `g` in that region and zero elsewhere; backward adds `g` into the
    /// input's pending gradient in place, so several slices of one tensor (q, k, v of a packed projection)
    /// share one gradient buffer instead of each making a zero-padded copy that is then summed.
    static func recordRegion(_ output: Tensor, op: String, input: Tensor,
                             region: @escaping @Sendable (Tensor) throws -> Tensor) -> Tensor {
        guard isGradEnabled, let inputNode = input.gradNode else { return output }
        let inputShape = input.shape
        var result = output
        result.gradNode = GradNode(op: op, shape: output.shape, inputs: [inputNode], backward: { g in
            [try Tensor.scatteredIntoZeros(g, shape: inputShape, region: region)]
        }, inputRegion: region)
        return result
    }

    /// Adds `gradient` into the region of `input`'s pending gradient (zeros when there is none yet).
    private static func accumulateRegion(_ gradient: Tensor, region: (Tensor) throws -> Tensor, input: GradNode,
                                         pending: inout [ObjectIdentifier: Tensor]) throws {
        let key = ObjectIdentifier(input)
        guard var total = pending.removeValue(forKey: key) else {
            pending[key] = try Tensor.scatteredIntoZeros(gradient, shape: input.shape, region: region)
            return
        }
        guard total.shape == input.shape, total.dtype == gradient.dtype else {
            throw TensorError.shapeMismatch(op: "backward", lhs: total.shape, rhs: input.shape)
        }
        total.makeUniqueContiguous()        // a copy only when the pending gradient is shared (add's backward)
        let target = try region(total.detached())
        guard target.shape == gradient.shape else { throw TensorError.shapeMismatch(op: "backward", lhs: target.shape, rhs: gradient.shape) }
        // `total` owns its storage alone (checked above), so adding through the view is safe.
        CPUKernels.addElements(from: gradient, into: target)
        pending[key] = total
    }

    /// Gradients flowing into each node, propagated from `root` in reverse topological order.
    static func runBackward(from root: GradNode, seed: Tensor) throws {
        let order = topologicalOrder(from: root)
        var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): seed]
        try withNoGrad {
            for node in order.reversed() {
                guard let gradient = pending.removeValue(forKey: ObjectIdentifier(node)) else { continue }
                guard let backward = node.backwardFn else {
                    try node.accumulate(gradient)
                    continue
                }
                if let region = node.inputRegion, gradient.dtype == .float32, let input = node.inputs.first, let input {
                    try accumulateRegion(gradient, region: region, input: input, pending: &pending)
                    continue
                }
                let inputGrads = try backward(gradient)
                let inputs = node.inputs
                guard inputGrads.count == inputs.count else {
                    throw TensorError.invalidArgument(op: "\(node.op) backward", reason: "returned \(inputGrads.count) gradients for \(inputs.count) inputs")
                }
                for (input, grad) in zip(inputs, inputGrads) {
                    guard let input, let grad else { continue }
                    guard grad.shape == input.shape else {
                        throw TensorError.shapeMismatch(op: "\(node.op) backward", lhs: grad.shape, rhs: input.shape)
                    }
                    let key = ObjectIdentifier(input)
                    if let existing = pending[key] {
                        pending[key] = try existing + grad
                    } else {
                        pending[key] = grad
                    }
                }
            }
        }
    }

    /// Post-order DFS (iterative, so deep graphs cannot overflow the stack): inputs before outputs.
    static func topologicalOrder(from root: GradNode) -> [GradNode] {
        var order: [GradNode] = []
        var visited: Set<ObjectIdentifier> = [ObjectIdentifier(root)]
        var stack: [(node: GradNode, inputs: [GradNode?], next: Int)] = [(root, root.inputs, 0)]
        while let top = stack.last {
            if top.next < top.inputs.count {
                stack[stack.count - 1].next += 1
                if let child = top.inputs[top.next], visited.insert(ObjectIdentifier(child)).inserted {
                    stack.append((child, child.inputs, 0))
                }
            } else {
                order.append(top.node)
                stack.removeLast()
            }
        }
        return order
    }
}

/// Runs `body` without recording autograd operations (inference, optimizer steps).
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    try Autograd.$isGradEnabled.withValue(false, operation: body)
}

/// Async variant of `withNoGrad`.
public func withNoGrad<R: Sendable>(_ body: () async throws -> R) async rethrows -> R {
    try await Autograd.$isGradEnabled.withValue(false, operation: body)
}

extension Tensor {
    /// True when this tensor is a leaf that requires grad or was computed from one.
    public var requiresGrad: Bool { gradNode != nil }

    /// This tensor as a leaf that accumulates gradients (`flag` true), or without autograd (`flag` false).
    /// Only float32 tensors can require grad.
    public func requiresGrad(_ flag: Bool = true) -> Tensor {
        precondition(!flag || dtype == .float32, "only float32 tensors can require grad (got \(dtype))")
        var result = self
        result.gradNode = flag ? GradNode(op: "leaf", shape: shape, inputs: [], backward: nil) : nil
        return result
    }

    /// The same values, cut off from the autograd graph.
    public func detached() -> Tensor {
        var result = self
        result.gradNode = nil
        return result
    }

    /// The gradient accumulated by `backward()` on a leaf; nil before any backward or for non-leaves.
    public var grad: Tensor? {
        guard let node = gradNode, node.isLeaf else { return nil }
        return node.accumulated.withLock { $0 }
    }

    /// Clears a leaf's accumulated gradient.
    public func zeroGrad() {
        gradNode?.accumulated.withLock { $0 = nil }
    }

    /// Back-propagates from this tensor. `gradient` defaults to 1 for a one-element tensor (a loss).
    /// Gradients accumulate into leaves across calls; call `zeroGrad()` between steps. The graph stays
    /// alive as long as this tensor does, so backward may run again (PyTorch's `retain_graph=True`).
    public func backward(_ gradient: Tensor? = nil) throws {
        guard let node = gradNode else {
            throw TensorError.noGradient(reason: "tensor of shape \(shape) does not require grad")
        }
        let seed: Tensor
        if let gradient {
            guard gradient.shape == shape else { throw TensorError.shapeMismatch(op: "backward", lhs: shape, rhs: gradient.shape) }
            seed = gradient.detached()
        } else {
            guard elementCount == 1 else {
                throw TensorError.noGradient(reason: "output of shape \(shape) is not a scalar; pass its gradient explicitly")
            }
            seed = Tensor.ones(shape)
        }
        try Autograd.runBackward(from: node, seed: seed)
    }
}
