import Testing
import VidiNN
import VidiTensor
import VidiTestSupport

/// One case written by `Tools/goldens/make_nn_goldens.py` (PyTorch reference): the module's state dict in
/// `Fixtures/golden/nn/<name>.safetensors` and tensors in `<name>_<tensor>.npy`.
struct GoldenCase {
    let name: String

    init(_ name: String) { self.name = name }

    /// Loads PyTorch's weights into `module` strictly (every key present, no extra, same shapes).
    func load(into module: Module) throws {
        try module.loadStateDict(path: Fixtures.path("golden/nn/\(name).safetensors"))
    }

    func tensor(_ suffix: String) throws -> Tensor {
        try Golden.tensor("nn/\(name)_\(suffix)")
    }

    /// Backpropagates `Σ out · proj` with PyTorch's projection, as the generator did for the gradients.
    func backward(_ output: Tensor) throws {
        try (output * tensor("proj")).sum().backward()
    }

    /// Compares `parameter`'s gradient with the golden `grad_<key with dots as underscores>`.
    func expectGradient(_ module: Module, _ key: String, rtol: Float = 1e-4, atol: Float = 1e-5) throws {
        guard let parameter = module.namedParameters().first(where: { $0.name == key })?.parameter,
              let grad = parameter.grad else {
            Issue.record("\(name): no gradient reached \(key)")
            return
        }
        expectClose(grad, try tensor("grad_" + key.replacingOccurrences(of: ".", with: "_")), rtol: rtol, atol: atol, "\(name) grad \(key)")
    }
}
