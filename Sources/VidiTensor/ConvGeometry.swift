/// The sizes of one convolution, lifted to three spatial axes (see `SpatialArguments`).
///
/// "Input" and "output" are the convolution's: a transposed convolution runs the same geometry backwards
/// (its input is this geometry's output).
struct ConvGeometry: Sendable {
    let spatialRank: Int
    let batch: Int
    let inChannels: Int
    let outChannels: Int
    let groups: Int
    /// Spatial sizes (3 axes each).
    let input: [Int]
    let kernel: [Int]
    let output: [Int]
    let stride: [Int]
    let padding: [Int]
    let dilation: [Int]

    var inChannelsPerGroup: Int { inChannels / groups }
    var outChannelsPerGroup: Int { outChannels / groups }
    var inputVolume: Int { input[0] * input[1] * input[2] }
    var outputVolume: Int { output[0] * output[1] * output[2] }
    var kernelVolume: Int { kernel[0] * kernel[1] * kernel[2] }
    /// Rows of one group's column matrix: input channels × kernel taps.
    var columnRows: Int { inChannelsPerGroup * kernelVolume }

    /// A 1×1 convolution without stride or padding reads its input as the column matrix directly.
    var isPointwise: Bool {
        kernel == [1, 1, 1] && stride == [1, 1, 1] && padding == [0, 0, 0]
    }

    var inputShape: [Int] { [batch, inChannels] + input.suffix(spatialRank) }
    var outputShape: [Int] { [batch, outChannels] + output.suffix(spatialRank) }
    var weightShape: [Int] { [outChannels, inChannelsPerGroup] + kernel.suffix(spatialRank) }

    /// Output size of a convolution along one axis (PyTorch's formula); may be ≤ 0 for a kernel that does not fit.
    static func outputSize(input: Int, kernel: Int, stride: Int, padding: Int, dilation: Int) -> Int {
        let span = input + 2 * padding - dilation * (kernel - 1) - 1
        return span < 0 ? 0 : span / stride + 1
    }

    /// Validates a convolution of `input` `[N, C_in, spatial…]` with `weight` `[C_out, C_in / groups, kernel…]`.
    init(input x: Tensor, weight: Tensor, bias: Tensor?, spatialRank: Int, stride: [Int], padding: [Int],
         dilation: [Int], groups: Int, op: String) throws {
        let layout = ["[N, C, W]", "[N, C, H, W]", "[N, C, D, H, W]"][spatialRank - 1]
        try SpatialArguments.requireBatchedFloat(x, spatialRank: spatialRank, op: op, layout: layout)
        try SpatialArguments.requireBatchedFloat(weight, spatialRank: spatialRank, op: op, layout: "a weight [C_out, C_in / groups, kernel…]")
        guard groups >= 1 else { throw TensorError.invalidArgument(op: op, reason: "groups \(groups) must be ≥ 1") }
        let outChannels = weight.shape[0]
        guard outChannels % groups == 0, x.shape[1] % groups == 0, weight.shape[1] * groups == x.shape[1] else {
            throw TensorError.invalidArgument(op: op, reason: "input \(x.shape) and weight \(weight.shape) do not fit groups = \(groups) (C_in = weight.shape[1] × groups, C_out divisible by groups)")
        }
        if let bias {
            guard bias.dtype == .float32 else { throw TensorError.dtypeMismatch(op: op, expected: .float32, actual: bias.dtype) }
            guard bias.shape == [outChannels] else { throw TensorError.shapeMismatch(op: "\(op) bias", lhs: bias.shape, rhs: [outChannels]) }
        }
        let kernel = Array(weight.shape.suffix(spatialRank))
        guard kernel.allSatisfy({ $0 >= 1 }) else {
            throw TensorError.invalidArgument(op: op, reason: "weight \(weight.shape) has an empty kernel")
        }
        let s = try SpatialArguments.expand(stride, rank: spatialRank, name: "stride", op: op, minimum: 1)
        let p = try SpatialArguments.expand(padding, rank: spatialRank, name: "padding", op: op, minimum: 0)
        let d = try SpatialArguments.expand(dilation, rank: spatialRank, name: "dilation", op: op, minimum: 1)
        let spatial = Array(x.shape.suffix(spatialRank))
        var output: [Int] = []
        for axis in 0..<spatialRank {
            let size = Self.outputSize(input: spatial[axis], kernel: kernel[axis], stride: s[axis], padding: p[axis], dilation: d[axis])
            guard size >= 1 else {
                throw TensorError.invalidArgument(op: op, reason: "kernel \(kernel) with dilation \(d) does not fit input \(x.shape) padded by \(p)")
            }
            output.append(size)
        }
        self.init(spatialRank: spatialRank, batch: x.shape[0], inChannels: x.shape[1], outChannels: outChannels,
                  groups: groups, input: SpatialArguments.lift(spatial, fill: 1),
                  kernel: SpatialArguments.lift(kernel, fill: 1), output: SpatialArguments.lift(output, fill: 1),
                  stride: SpatialArguments.lift(s, fill: 1), padding: SpatialArguments.lift(p, fill: 0),
                  dilation: SpatialArguments.lift(d, fill: 1))
    }

    init(spatialRank: Int, batch: Int, inChannels: Int, outChannels: Int, groups: Int, input: [Int],
         kernel: [Int], output: [Int], stride: [Int], padding: [Int], dilation: [Int]) {
        self.spatialRank = spatialRank
        self.batch = batch
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.groups = groups
        self.input = input
        self.kernel = kernel
        self.output = output
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
    }
}
