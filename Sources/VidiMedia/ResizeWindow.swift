/// One axis of a resize computed only where a crop needs it: swscale resizes a source span to an output
/// span, and the crop's pixels are read from that span instead of from the whole resized picture.
///
/// swscale places output pixel `i` of a `S -> D` resize at `(inc >> 1) + 2 i inc` (in 1/2^17 source
/// pixels, `inc = ((S << 16) + D / 2) / D`; FFmpeg 5.1 `initFilter`, luma and centre-sited chroma alike)
/// and weights its taps by the distance to that point. A span `[sourceStart, +sourceLength) ->
/// [outputStart, +outputLength)` places its pixels at nearly, rarely exactly, the same points (the
/// increment is an integer and the span starts on a whole source pixel), so the search keeps the spans
/// whose kept pixels land within `tolerance` output pixels of the whole resize's points, in every plane,
/// and takes the narrowest. Kept pixels stay `margin` pixels inside the span's cut edges, where swscale
/// clamps its filters.
struct ResizeWindow: Equatable {
    var sourceStart: Int
    var sourceLength: Int
    var outputStart: Int
    var outputLength: Int

    /// Largest position error accepted, in output pixels: at most a few hundredths of a level on smooth
    /// pictures, ~2 levels on a one-pixel black-to-white step.
    static let tolerance = 0.01
    /// Output pixels kept clear of a cut edge: swscale's widest filter here (bicubic) reaches 2 output
    /// pixels on a downscale and 2.5 chroma pixels (5 output pixels at 2x) on 4:2:0 chroma's upscale.
    static let margin = 8
    /// How far the search moves each end of the span past the margin.
    static let reach = 96

    /// The span for output pixels `kept` of a `source -> resized` resize whose chroma planes are
    /// subsampled by `1 << chromaShift` on this axis; nil when the resize is not a downscale or no span
    /// within the tolerance is at least an eighth narrower than the whole picture.
    static func search(source: Int, resized: Int, kept: Range<Int>, chromaShift: Int) -> ResizeWindow? {
        guard resized < source, resized >= 16, !kept.isEmpty, kept.lowerBound >= 0, kept.upperBound <= resized,
              (0...2).contains(chromaShift) else { return nil }
        let step = 1 << chromaShift
        let chromaSource = -((-source) >> chromaShift)
        let firstKept = kept.lowerBound, lastKept = kept.upperBound - 1
        var best: (window: ResizeWindow, error: Double)?
        let lowestStart = max(0, firstKept - margin - reach)
        // A span flush with the picture's edge has no cut there (swscale clamps both resizes alike).
        let starts = firstKept - margin <= 0 ? [0] : [0] + Array(lowestStart...(firstKept - margin)).reversed()
        for outputStart in starts {
            let shortest = lastKept + 1 + margin - outputStart
            let lengths = shortest >= resized - outputStart
                ? [resized - outputStart]
                : Array(shortest...min(shortest + reach, resized - outputStart)) + [resized - outputStart]
            for outputLength in lengths {
                if let best, outputLength > best.window.outputLength { break }
                let reachesEnd = outputStart + outputLength == resized
                let ideal = Double(outputStart) * Double(source) / Double(resized)
                let sourceStarts = outputStart == 0 ? [0] : [Int(ideal) / step * step, (Int(ideal) / step + 1) * step]
                for sourceStart in sourceStarts where sourceStart < source {
                    let idealLength = Double(outputLength) * Double(source) / Double(resized)
                    var sourceLengths = reachesEnd ? [source - sourceStart] : []
                    if !reachesEnd {
                        let around = Int(idealLength) / step * step
                        for k in -2...2 { sourceLengths.append(around + k * step) }
                    }
                    for sourceLength in sourceLengths where sourceLength >= 16 && sourceStart + sourceLength <= source {
                        let window = ResizeWindow(sourceStart: sourceStart, sourceLength: sourceLength,
                                                  outputStart: outputStart, outputLength: outputLength)
                        let luma = window.error(source: source, resized: resized, kept: kept, shift: 0)
                        guard luma <= tolerance else { continue }
                        let chroma = chromaShift == 0 ? 0
                            : window.error(source: chromaSource, resized: resized, kept: kept, shift: chromaShift)
                        let error = max(luma, chroma)
                        guard error <= tolerance else { continue }
                        if best == nil || outputLength < best!.window.outputLength
                            || (outputLength == best!.window.outputLength && error < best!.error) {
                            best = (window, error)
                        }
                    }
                }
            }
        }
        guard let best, best.window.outputLength * 8 <= resized * 7 else { return nil }
        return best.window
    }

    /// Largest distance, in output pixels, between where this span and the whole resize place the kept
    /// pixels, in a plane of `source` pixels (the luma width over `1 << shift`).
    func error(source: Int, resized: Int, kept: Range<Int>, shift: Int) -> Double {
        let spanStart = sourceStart >> shift
        let spanLength = -((-sourceLength) >> shift)
        func position(_ i: Int, _ s: Int, _ d: Int) -> Int {
            let inc = ((s << 16) + (d >> 1)) / d
            return (inc >> 1) + 2 * i * inc
        }
        // The difference is linear in the pixel: its ends bound it.
        var largest = 0
        for pixel in [kept.lowerBound, kept.upperBound - 1] {
            let inSpan = (spanStart << 17) + position(pixel - outputStart, spanLength, outputLength)
            largest = max(largest, abs(inSpan - position(pixel, source, resized)))
        }
        return Double(largest) / Double(1 << 17) * Double(resized) / Double(source)
    }
}
