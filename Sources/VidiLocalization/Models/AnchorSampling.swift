import Foundation
import VidiTensor

/// Reads the embedding of a query segment at continuous positions — the readout both heads share.
///
/// A segment `[s, e]` in grid units (feature `t` covers `[t, t + 1)`, its embedding column is the value at
/// the centre `t + 0.5`) of length `L` is read over `[s − L/2, e + L/2]` (BMN's `prop_boundary_ratio` 0.5):
/// `samples` bins, one linear-interpolation sample at each bin's centre, so bin `i` reads column index
/// `s − L/2 + (i + 0.5) · 2L / samples − 0.5`. Outside the sequence reads zero (BMN's mask does the same).
///
/// Optionally `boundarySamples` more points around each boundary `b` (start, then end), spread over a
/// window of `W = min(L, 4)` grid steps centred on it: `b − W/2 + (i + 0.5) · W / boundarySamples − 0.5`.
/// The main bins are `L/4` apart, so a long segment's boundary is otherwise seen only at `b ± L/8`; these
/// points stay at most one grid step apart whatever `L` is (RCL.md: boundary readout).
enum AnchorSampling {
    /// Column positions `[B, Q · (samples + 2 · boundarySamples)]` for segments `[B, Q, 2]` (plain floats).
    static func positions(_ segments: [[(Double, Double)]], samples: Int, boundarySamples: Int = 0) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(segments.count * (segments.first?.count ?? 0) * (samples + 2 * boundarySamples))
        for video in segments {
            for (s, e) in video {
                let length = e - s, origin = s - 0.5 * length, step = 2 * length / Double(samples)
                for i in 0..<samples { out.append(Float(origin + (Double(i) + 0.5) * step - 0.5)) }
                guard boundarySamples > 0 else { continue }
                let window = Swift.min(length, 4), local = window / Double(boundarySamples)
                for b in [s, e] {
                    for i in 0..<boundarySamples { out.append(Float(b - window / 2 + (Double(i) + 0.5) * local - 0.5)) }
                }
            }
        }
        return out
    }

    /// `embedding [B, H, T]`, segments `B × Q` → `[B, Q, N · H]`, `N = samples + 2 · boundarySamples`
    /// (sample-major within a query: the segment's bins, then the start's points, then the end's).
    static func read(_ embedding: Tensor, segments: [[(Double, Double)]], samples: Int, boundarySamples: Int = 0) throws -> Tensor {
        let batch = embedding.shape[0], hidden = embedding.shape[1], queries = segments.first?.count ?? 0
        let n = samples + 2 * boundarySamples
        let positions = try Tensor(positions(segments, samples: samples, boundarySamples: boundarySamples), shape: [batch, queries * n])
        let read = try embedding.sampledLinearly(at: positions)               // [B, H, Q·N]
        return try read.reshaped([batch, hidden, queries, n]).permuted([0, 2, 3, 1])
            .reshaped([batch, queries, n * hidden])
    }

    /// Column positions `[B, Q · count]` of `count` points evenly inside each segment: point `i` of `[s, e]` sits at
    /// `s + (i + 0.5) · L / count`, column index that − 0.5 (same convention as the bins).
    static func interiorPositions(_ segments: [[(Double, Double)]], count: Int) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(segments.count * (segments.first?.count ?? 0) * count)
        for video in segments {
            for (s, e) in video {
                let step = (e - s) / Double(count)
                for i in 0..<count { out.append(Float(s + (Double(i) + 0.5) * step - 0.5)) }
            }
        }
        return out
    }

    /// The interior readout: `count` points evenly inside each segment, read like the bins, then per channel the
    /// minimum and the maximum over them → `[B, Q, 2 · H]` (the H minima, then the H maxima). The bins sit `L/4`
    /// apart, so a background gap of a few steps inside a long query (two same-class actions merged) can fall
    /// between them; with 32 points the spacing is at most 2 steps on a 64-step grid, and a per-channel extreme
    /// keeps the gap visible however short it is against the query (a mean would dilute it). RCL.md, "Interior readout".
    static func interior(_ embedding: Tensor, segments: [[(Double, Double)]], count: Int) throws -> Tensor {
        let batch = embedding.shape[0], hidden = embedding.shape[1], queries = segments.first?.count ?? 0
        let positions = try Tensor(interiorPositions(segments, count: count), shape: [batch, queries * count])
        let read = try embedding.sampledLinearly(at: positions).reshaped([batch, hidden, queries, count])
        return try Tensor.concatenate([read.min(axis: 3), read.max(axis: 3)], axis: 1)   // [B, 2H, Q]
            .permuted([0, 2, 1])
    }

    /// The continuous head's coordinate encoding of a segment in a grid of `length` steps: centre and
    /// log-length, each raw and as sinusoids at several frequencies (12 numbers).
    static func coordinates(_ segments: [[(Double, Double)]], length: Int) throws -> Tensor {
        var out: [Float] = []
        let T = Double(length)
        for video in segments {
            for (s, e) in video {
                let centre = (s + e) / (2 * T), logLength = Foundation.log(Swift.max(e - s, 1e-3) / T)
                out.append(Float(centre)); out.append(Float(logLength / 4))
                for f in [1.0, 2, 4] {
                    out.append(Float(Foundation.sin(Double.pi * f * centre))); out.append(Float(Foundation.cos(Double.pi * f * centre)))
                }
                out.append(Float(Foundation.sin(logLength / 2))); out.append(Float(Foundation.cos(logLength / 2)))
                out.append(Float(Foundation.sin(logLength))); out.append(Float(Foundation.cos(logLength)))
            }
        }
        return try Tensor(out, shape: [segments.count, segments.first?.count ?? 0, LocalizerConfiguration.coordinateFeatures])
    }
}
