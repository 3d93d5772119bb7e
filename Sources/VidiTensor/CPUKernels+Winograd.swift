import COpenBLAS
import Foundation

/// Winograd F(2×2, 3×3) for 3×3 stride-1 convolutions (Lavin & Gray, "Fast Algorithms for Convolutional
/// Neural Networks", 2016): a 2×2 output tile is `Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A` over its 4×4 input tile `d`,
/// 16 multiplications per channel pair where the direct form takes 36. Summed over input channels, each
/// of the 16 transformed positions ξ is one GEMM over all tiles: `M[ξ] (C_out × tiles) = U[ξ] (C_out × C_in)
/// · V[ξ] (C_in × tiles)`. `U` (the transformed weights) is kept with the weight's storage like the
/// shifted path's per-tap weights. A 3-D convolution with a 1×3×3 kernel and no depth padding (R(2+1)D's
/// spatial convolutions) runs the same way with its frames as images.
///
/// The transforms add and subtract at most four values per step (and halve exactly), so the result differs
/// from direct summation by a few roundings per channel sum; `WinogradConvolutionTests` bounds it.
struct WinogradLayout {
    /// Bytes of transformed input plus GEMM output per block of tiles (≈ L2 of a server core: the block is
    /// written by the input transform, read by the GEMMs and read back by the output transform).
    static let blockBytes = 2 << 20
    /// Tiles per block at least (narrower GEMMs lose more to packing than the cache saves).
    static let minimumBlock = 64

    let g: ConvGeometry
    let tilesH: Int, tilesW: Int
    /// Images times depth: the 2-D planes convolved independently.
    let frames: Int
    let tileCount: Int
    let block: Int

    init(_ g: ConvGeometry) {
        self.g = g
        tilesH = (g.output[1] + 1) / 2
        tilesW = (g.output[2] + 1) / 2
        frames = g.batch * g.input[0]
        tileCount = frames * tilesH * tilesW
        let perTile = 16 * (g.inChannels + g.outChannels) * MemoryLayout<Float>.size
        block = Swift.min(tileCount, Swift.max(Self.minimumBlock, Self.blockBytes / perTile))
    }

    /// Floats from one ξ's matrix to the next: the matrix rounded up to a cache line, plus one line. The
    /// transforms touch all 16 matrices in lockstep; at a power-of-two spacing (64 channels × 256 tiles)
    /// all 16 streams fall into one 8-way L1 set and evict each other (`vidi bench conv --batch 1
    /// --channels 64 --size 56 --threads 1`: 42 effective GFLOP/s per CPU-second without the extra line,
    /// 84 with it; the shifted path 67–72).
    static func spacing(_ elements: Int) -> Int { (elements + 15) / 16 * 16 + 16 }

    /// Bytes of the 16 transformed weight matrices.
    var transformedWeightBytes: Int { 16 * Self.spacing(g.outChannels * g.inChannels) * MemoryLayout<Float>.size }

    /// Whether `g` is a convolution this layout computes: 3×3 (1×3×3), stride and dilation 1, one group,
    /// no depth padding.
    static func fits(_ g: ConvGeometry) -> Bool {
        g.kernel == [1, 3, 3] && g.stride == [1, 1, 1] && g.dilation == [1, 1, 1] && g.groups == 1
            && g.padding[0] == 0 && g.spatialRank >= 2 && g.inChannels > 0 && g.outChannels > 0
    }

    /// The convolution that computes `g`'s input gradient from its output gradient: a 3×3 stride-1
    /// convolution's adjoint is the 3×3 stride-1 convolution with the kernel turned by 180°, input and output
    /// channels swapped and padding `2 − p` per axis (output `H_o + 2(2 − p) − 2 = H`). Nil when `g` does not
    /// fit or a padding exceeds 2 (the adjoint would crop, which this layout does not do).
    static func inputGradientGeometry(_ g: ConvGeometry) -> ConvGeometry? {
        guard fits(g), g.padding[1] <= 2, g.padding[2] <= 2 else { return nil }
        return ConvGeometry(spatialRank: g.spatialRank, batch: g.batch, inChannels: g.outChannels, outChannels: g.inChannels,
                            groups: 1, input: g.output, kernel: g.kernel, output: g.input, stride: g.stride,
                            padding: [0, 2 - g.padding[1], 2 - g.padding[2]], dilation: g.dilation)
    }

    /// `U[ξ][co][ci] = (G g Gᵀ)[ξ]` for weights `[C_out, C_in, 3, 3]`, with `G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]`.
    /// `flippedTransposed`: `weight` is `[C_in, C_out, 3, 3]` of the convolution whose input gradient this
    /// layout computes, and `g[co][ci]` is its kernel `[ci][co]` turned by 180° (see `inputGradientGeometry`).
    func transformWeights(_ weight: UnsafePointer<Float>, into u: UnsafeMutablePointer<Float>, flippedTransposed: Bool = false) {
        let (cin, cout) = (g.inChannels, g.outChannels)
        let stride = Self.spacing(cout * cin)
        Parallel.forEachChunk(count: cout, grain: Swift.max(1, 4096 / Swift.max(cin, 1))) { _, range in
            for co in range {
                for ci in 0..<cin {
                    let (g0, g1, g2): (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>)
                    if flippedTransposed {
                        let k = weight + (ci * cout + co) * 9
                        (g0, g1, g2) = (SIMD4(k[8], k[7], k[6], 0), SIMD4(k[5], k[4], k[3], 0), SIMD4(k[2], k[1], k[0], 0))
                    } else {
                        let k = weight + (co * cin + ci) * 9
                        (g0, g1, g2) = (SIMD4(k[0], k[1], k[2], 0), SIMD4(k[3], k[4], k[5], 0), SIMD4(k[6], k[7], k[8], 0))
                    }
                    // t = G g: four rows of three.
                    let t = (g0, (g0 + g1 + g2) * 0.5, (g0 - g1 + g2) * 0.5, g2)
                    // u = t Gᵀ: each row [a, b, c] becomes [a, (a + b + c)/2, (a − b + c)/2, c].
                    let target = u + co * cin + ci
                    func store(_ r: Int, _ row: SIMD4<Float>) {
                        let (a, b, c) = (row[0], row[1], row[2])
                        target[(4 * r) * stride] = a
                        target[(4 * r + 1) * stride] = (a + b + c) * 0.5
                        target[(4 * r + 2) * stride] = (a - b + c) * 0.5
                        target[(4 * r + 3) * stride] = c
                    }
                    store(0, t.0)
                    store(1, t.1)
                    store(2, t.2)
                    store(3, t.3)
                }
            }
        }
    }

    /// Tile `tile` (counted over batch x depth frames, then rows, then columns): the element offset of its
    /// frame's plane for `channel` of `channels` in an `[N, C, depth, H, W]` tensor of `plane` elements per
    /// plane, and its tile row and column.
    func locate(_ tile: Int, channel: Int, channels: Int, depth: Int, plane: Int) -> (offset: Int, row: Int, column: Int) {
        let perFrame = tilesH * tilesW, frame = tile / perFrame
        return (((frame / depth * channels + channel) * depth + frame % depth) * plane, (tile % perFrame) / tilesW, tile % tilesW)
    }

    /// `V[ξ][ci][t] = (Bᵀ d B)[ξ]` for the tiles `tiles` (t counted from the block's first), with
    /// `Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]`; input outside the image (padding) reads as zero.
    func transformInput(_ x: UnsafePointer<Float>, tiles: Range<Int>, into v: UnsafeMutablePointer<Float>) {
        let (cin, h, w, depth) = (g.inChannels, g.input[1], g.input[2], g.input[0])
        let (padH, padW, n) = (g.padding[1], g.padding[2], tiles.count)
        let plane = h * w, stride = Self.spacing(cin * n)
        Parallel.forEachChunk(count: cin, grain: Parallel.balancedGrain(count: cin, itemSize: 16 * n)) { _, channels in
            for ci in channels {
                var column = 0
                for tile in tiles {
                    let (offset, th, tw) = locate(tile, channel: ci, channels: cin, depth: depth, plane: plane)
                    let source = x + offset
                    let (row0, col0) = (2 * th - padH, 2 * tw - padW)
                    let inside = row0 >= 0 && col0 >= 0 && row0 + 4 <= h && col0 + 4 <= w
                    /// Row `r` of the 4×4 tile, zero outside the image.
                    func line(_ r: Int) -> SIMD4<Float> {
                        let y = row0 + r
                        if inside {
                            let p = source + y * w + col0
                            return SIMD4(p[0], p[1], p[2], p[3])
                        }
                        guard y >= 0, y < h else { return .zero }
                        var values = SIMD4<Float>.zero
                        for c in 0..<4 where col0 + c >= 0 && col0 + c < w { values[c] = source[y * w + col0 + c] }
                        return values
                    }
                    let (d0, d1, d2, d3) = (line(0), line(1), line(2), line(3))
                    // Bᵀ d (rows), then each row times B (columns).
                    let target = v + ci * n + column
                    func store(_ r: Int, _ q: SIMD4<Float>) {
                        target[(4 * r) * stride] = q[0] - q[2]
                        target[(4 * r + 1) * stride] = q[1] + q[2]
                        target[(4 * r + 2) * stride] = q[2] - q[1]
                        target[(4 * r + 3) * stride] = q[1] - q[3]
                    }
                    store(0, d0 - d2)
                    store(1, d1 + d2)
                    store(2, d2 - d1)
                    store(3, d1 - d3)
                    column += 1
                }
            }
        }
    }

    /// Output tiles `Aᵀ M A` (`Aᵀ = [1 1 1 0; 0 1 −1 −1]`) plus bias, written where they lie inside the output.
    func transformOutput(_ m: UnsafePointer<Float>, tiles: Range<Int>, bias: UnsafePointer<Float>?, into out: UnsafeMutablePointer<Float>) {
        let (cout, oh, ow, depth) = (g.outChannels, g.output[1], g.output[2], g.output[0])
        let n = tiles.count, plane = oh * ow, stride = Self.spacing(cout * n)
        Parallel.forEachChunk(count: cout, grain: Parallel.balancedGrain(count: cout, itemSize: 16 * n)) { _, channels in
            for co in channels {
                let b = bias?[co] ?? 0
                var p = m + co * n
                for tile in tiles {
                    /// Row `r` of the tile's 4×4 `M`.
                    func row(_ r: Int) -> SIMD4<Float> {
                        SIMD4(p[(4 * r) * stride], p[(4 * r + 1) * stride], p[(4 * r + 2) * stride], p[(4 * r + 3) * stride])
                    }
                    let (m0, m1, m2, m3) = (row(0), row(1), row(2), row(3))
                    let s0 = m0 + m1 + m2, s1 = m1 - m2 - m3
                    let (offset, th, tw) = locate(tile, channel: co, channels: cout, depth: depth, plane: plane)
                    let target = out + offset
                    let (y, x) = (2 * th, 2 * tw)
                    target[y * ow + x] = s0[0] + s0[1] + s0[2] + b
                    if x + 1 < ow { target[y * ow + x + 1] = s0[1] - s0[2] - s0[3] + b }
                    if y + 1 < oh {
                        target[(y + 1) * ow + x] = s1[0] + s1[1] + s1[2] + b
                        if x + 1 < ow { target[(y + 1) * ow + x + 1] = s1[1] - s1[2] - s1[3] + b }
                    }
                    p += 1
                }
            }
        }
    }

    /// The adjoint of `transformOutput` for the weight gradient: `∂M = A ∂Y Aᵀ` per 2×2 tile of the output
    /// gradient, positions outside the output reading as zero (those outputs were dropped).
    func transformOutputGradient(_ gy: UnsafePointer<Float>, tiles: Range<Int>, into dm: UnsafeMutablePointer<Float>) {
        let (cout, oh, ow, depth) = (g.outChannels, g.output[1], g.output[2], g.output[0])
        let n = tiles.count, plane = oh * ow, stride = Self.spacing(cout * n)
        Parallel.forEachChunk(count: cout, grain: Parallel.balancedGrain(count: cout, itemSize: 16 * n)) { _, channels in
            for co in channels {
                var column = 0
                for tile in tiles {
                    let (offset, th, tw) = locate(tile, channel: co, channels: cout, depth: depth, plane: plane)
                    let source = gy + offset
                    let (y, x) = (2 * th, 2 * tw)
                    let right = x + 1 < ow, below = y + 1 < oh
                    let (a, b) = (source[y * ow + x], right ? source[y * ow + x + 1] : 0)
                    let (c, d) = (below ? source[(y + 1) * ow + x] : 0, below && right ? source[(y + 1) * ow + x + 1] : 0)
                    // A ∂Y (rows [1 0], [1 1], [1 −1], [0 −1]), then each row [p, q] times Aᵀ: [p, p + q, p − q, −q].
                    let target = dm + co * n + column
                    func store(_ r: Int, _ p: Float, _ q: Float) {
                        target[(4 * r) * stride] = p
                        target[(4 * r + 1) * stride] = p + q
                        target[(4 * r + 2) * stride] = p - q
                        target[(4 * r + 3) * stride] = -q
                    }
                    store(0, a, b)
                    store(1, a + c, b + d)
                    store(2, a - c, b - d)
                    store(3, -c, -d)
                    column += 1
                }
            }
        }
    }

    /// The adjoint of `transformWeights`: `∂g = Gᵀ ∂U G` into a weight gradient `[C_out, C_in, 3, 3]`.
    func transformWeightGradient(_ du: UnsafePointer<Float>, into gradWeight: UnsafeMutablePointer<Float>) {
        let (cin, cout) = (g.inChannels, g.outChannels)
        let stride = Self.spacing(cout * cin)
        Parallel.forEachChunk(count: cout, grain: Swift.max(1, 4096 / Swift.max(cin, 1))) { _, range in
            for co in range {
                for ci in 0..<cin {
                    let source = du + co * cin + ci
                    func row(_ r: Int) -> SIMD4<Float> {
                        SIMD4(source[(4 * r) * stride], source[(4 * r + 1) * stride], source[(4 * r + 2) * stride], source[(4 * r + 3) * stride])
                    }
                    let (d0, d1, d2, d3) = (row(0), row(1), row(2), row(3))
                    // Gᵀ D: rows D0 + (D1 + D2)/2, (D1 − D2)/2, (D1 + D2)/2 + D3.
                    let half = (d1 + d2) * 0.5
                    let t = (d0 + half, (d1 - d2) * 0.5, half + d3)
                    // Each row [a, b, c, d] times G: [a + (b + c)/2, (b − c)/2, (b + c)/2 + d].
                    let k = gradWeight + (co * cin + ci) * 9
                    func store(_ r: Int, _ v: SIMD4<Float>) {
                        let h = (v[1] + v[2]) * 0.5
                        k[3 * r] = v[0] + h
                        k[3 * r + 1] = (v[1] - v[2]) * 0.5
                        k[3 * r + 2] = h + v[3]
                    }
                    store(0, t.0)
                    store(1, t.1)
                    store(2, t.2)
                }
            }
        }
    }
}

extension CPUKernels {
    /// Winograd for 3×3 stride-1 convolutions with at least this many input and output channels: fewer
    /// leave the 16 GEMMs too small to gain from 2.25× fewer multiplications (measured per CPU-second
    /// against the shifted path at batch 1: 0.59× at 16 channels on 56², 0.81× at 32 on 28² and 56²;
    /// ResNet-50's four shapes, 64–512 channels at 56²–7², batch 1 and 8: 1.13–2.17×, BENCHMARKS.md). `VIDI_WINOGRAD=0` turns it off (forward
    /// and both gradients then take the shifted-GEMM path).
    static let winogradMinimumChannels = 64
    static let winogradEnabled = ProcessInfo.processInfo.environment["VIDI_WINOGRAD"] != "0"

    static func usesWinograd(_ g: ConvGeometry) -> Bool {
        winogradEnabled && WinogradLayout.fits(g)
            && g.inChannels >= winogradMinimumChannels && g.outChannels >= winogradMinimumChannels
    }

    /// Forward 3×3 stride-1 convolution by Winograd F(2×2, 3×3); `g` must satisfy `WinogradLayout.fits`.
    static func winogradConvolution(_ x: Tensor, weight: Tensor, bias: Tensor?, _ g: ConvGeometry) -> Tensor {
        let layout = WinogradLayout(g)
        let u = weight.storage.derived(key: [DerivedKind.winogradWeights, weight.offset, g.outChannels, g.inChannels],
                                       byteCount: layout.transformedWeightBytes) { bytes in
            layout.transformWeights(weight.typedPointer(Float.self), into: bytes.assumingMemoryBound(to: Float.self))
        }
        return withExtendedLifetime(weight) { winogradConvolution(x, transformedWeights: u, bias: bias, layout) }
    }

    /// Whether the input gradient of `g` runs as a Winograd convolution of the output gradient (the same
    /// channel bounds as the forward pass, with the adjoint's channels swapped).
    static func usesWinogradInputGradient(_ g: ConvGeometry) -> Bool {
        usesWinograd(g) && WinogradLayout.inputGradientGeometry(g) != nil
    }

    /// Input gradient of a 3×3 stride-1 convolution by Winograd: the forward kernel on `gradOutput` with the
    /// adjoint's weights (turned, channels swapped), transformed once per weight version and kept with the
    /// weight's storage like the forward's. `usesWinogradInputGradient(g)` must hold.
    static func winogradInputGradient(_ gradOutput: Tensor, weight: Tensor, _ g: ConvGeometry) -> Tensor {
        guard let adjoint = WinogradLayout.inputGradientGeometry(g) else { preconditionFailure("checked by usesWinogradInputGradient") }
        let layout = WinogradLayout(adjoint)
        let u = weight.storage.derived(key: [DerivedKind.winogradInputGradientWeights, weight.offset, g.outChannels, g.inChannels],
                                       byteCount: layout.transformedWeightBytes) { bytes in
            layout.transformWeights(weight.typedPointer(Float.self), into: bytes.assumingMemoryBound(to: Float.self), flippedTransposed: true)
        }
        return withExtendedLifetime(weight) { winogradConvolution(gradOutput, transformedWeights: u, bias: nil, layout) }
    }

    /// Weight gradient of a 3×3 stride-1 convolution by Winograd, the adjoint of the forward pass in `g`'s own
    /// layout: `∂U[ξ] = Σ_tiles ∂M[ξ] · V[ξ]ᵀ` (16 GEMMs of C_out × C_in over the tiles, 2.25× fewer
    /// multiplications than the nine per-tap GEMMs), then `∂g = Gᵀ ∂U G`. `usesWinograd(g)` must hold.
    static func winogradWeightGradient(_ x: Tensor, gradOutput: Tensor, _ g: ConvGeometry) -> Tensor {
        BLAS.prepare()
        let layout = WinogradLayout(g)
        let (cin, cout, size) = (g.inChannels, g.outChannels, MemoryLayout<Float>.size)
        let du = TensorStorage(uninitializedByteCount: layout.transformedWeightBytes)
        let v = TensorStorage(uninitializedByteCount: 16 * WinogradLayout.spacing(cin * layout.block) * size)
        let dm = TensorStorage(uninitializedByteCount: 16 * WinogradLayout.spacing(cout * layout.block) * size)
        let gradWeight = Tensor(uninitialized: g.weightShape, dtype: .float32)
        let (px, pg, pw) = (x.typedPointer(Float.self), gradOutput.typedPointer(Float.self), gradWeight.typedPointer(Float.self))
        let (pu, pv, pm) = (du.pointer(as: Float.self), v.pointer(as: Float.self), dm.pointer(as: Float.self))
        withExtendedLifetime((x, gradOutput, du, v, dm)) {
            for start in stride(from: 0, to: layout.tileCount, by: layout.block) {
                let tiles = start..<Swift.min(start + layout.block, layout.tileCount), n = tiles.count
                layout.transformInput(px, tiles: tiles, into: pv)
                layout.transformOutputGradient(pg, tiles: tiles, into: pm)
                // One whole GEMM per ξ and blocks in order: the sums never depend on the thread count.
                let (su, sv, sm) = (WinogradLayout.spacing(cout * cin), WinogradLayout.spacing(cin * n), WinogradLayout.spacing(cout * n))
                Parallel.forEachChunk(count: 16, grain: 1) { xi, _ in
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(cout), Int32(cin), Int32(n),
                                1, pm + xi * sm, Int32(n), pv + xi * sv, Int32(n),
                                start == 0 ? 0 : 1, pu + xi * su, Int32(cin))
                }
            }
            layout.transformWeightGradient(pu, into: pw)
        }
        return gradWeight
    }

    /// The Winograd convolution of `x` with weights already transformed for `layout` (`transformWeights`).
    private static func winogradConvolution(_ x: Tensor, transformedWeights u: TensorStorage, bias: Tensor?, _ layout: WinogradLayout) -> Tensor {
        BLAS.prepare()
        let g = layout.g
        let (cin, cout, size) = (g.inChannels, g.outChannels, MemoryLayout<Float>.size)
        let v = TensorStorage(uninitializedByteCount: 16 * WinogradLayout.spacing(cin * layout.block) * size)
        let m = TensorStorage(uninitializedByteCount: 16 * WinogradLayout.spacing(cout * layout.block) * size)
        let out = Tensor(uninitialized: g.outputShape, dtype: .float32)
        let (px, po, pb) = (x.typedPointer(Float.self), out.typedPointer(Float.self), bias?.typedPointer(Float.self))
        let (pu, pv, pm) = (u.pointer(as: Float.self), v.pointer(as: Float.self), m.pointer(as: Float.self))
        withExtendedLifetime((x, bias, u, v, m)) {
            for start in stride(from: 0, to: layout.tileCount, by: layout.block) {
                let tiles = start..<Swift.min(start + layout.block, layout.tileCount), n = tiles.count
                layout.transformInput(px, tiles: tiles, into: pv)
                // The 16 products are independent: one whole GEMM per chunk, so bits never depend on threads.
                let (su, sv, sm) = (WinogradLayout.spacing(cout * cin), WinogradLayout.spacing(cin * n), WinogradLayout.spacing(cout * n))
                Parallel.forEachChunk(count: 16, grain: 1) { xi, _ in
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(cout), Int32(n), Int32(cin),
                                1, pu + xi * su, Int32(cin), pv + xi * sv, Int32(n),
                                0, pm + xi * sm, Int32(n))
                }
                layout.transformOutput(pm, tiles: tiles, bias: pb, into: po)
            }
        }
        return out
    }
}
