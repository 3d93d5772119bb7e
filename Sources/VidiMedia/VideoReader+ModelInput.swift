extension VideoReader {
    /// Resolves `request` against this video (frames, sizes, crop offsets, output shape) without decoding.
    /// Errors: `.invalidArgument` for bad sizes, crops that do not fit, bad normalisation; `.outOfRange`
    /// for clips longer than the video.
    public func modelInputPlan(_ request: ModelInputRequest) throws -> ModelInputPlan {
        try ModelInputPlan(request: request, info: info)
    }

    /// The frames `request` asks for, resized, cropped, normalised and laid out for a model, as owned
    /// values plus shape (see `ModelInputRequest` for an example). Each distinct frame is decoded once,
    /// GOP by GOP. Throws `MediaError.corrupt` ("frame i could not be decoded") when a frame is missing.
    public func modelInput(_ request: ModelInputRequest) throws -> ModelInput {
        let plan = try modelInputPlan(request)
        let values: ModelInput.Values
        if request.layout == .hwcBytes {
            values = .bytes(try [UInt8](unsafeUninitializedCapacity: plan.elementCount) { buffer, initialized in
                try fillModelInput(plan, into: UnsafeMutableRawBufferPointer(buffer))
                initialized = plan.elementCount
            })
        } else {
            values = .float32(try [Float](unsafeUninitializedCapacity: plan.elementCount) { buffer, initialized in
                try fillModelInput(plan, into: UnsafeMutableRawBufferPointer(buffer))
                initialized = plan.elementCount
            })
        }
        return ModelInput(shape: plan.shape, values: values, clips: plan.clips, cropTops: plan.cropTops, cropLefts: plan.cropLefts)
    }

    /// Writes the model input of `plan` (made by this reader's `modelInputPlan`) into `buffer`, which must
    /// hold `plan.byteCount` bytes aligned for Float: floats for the float layouts, bytes for `.hwcBytes`.
    /// This is how a tensor's own storage is filled with no copy. On a throw the buffer's contents are
    /// unspecified.
    public func fillModelInput(_ plan: ModelInputPlan, into buffer: UnsafeMutableRawBufferPointer) throws {
        guard buffer.count >= plan.byteCount, let base = buffer.baseAddress else {
            throw MediaError.invalidArgument("model input needs \(plan.byteCount) bytes, the buffer holds \(buffer.count)")
        }
        guard plan.elementSize == 1 || Int(bitPattern: base) % MemoryLayout<Float>.alignment == 0 else {
            throw MediaError.invalidArgument("model input buffer is not aligned for Float")
        }
        var slots: [Int: [(clip: Int, t: Int)]] = [:]
        for (c, clip) in plan.clips.enumerated() {
            for (t, display) in clip.enumerated() {
                try checkIndex(display)
                slots[display, default: []].append((c, t))
            }
        }
        let converter = ModelInputConverter(plan: plan)
        var groups: [Int: [Int]] = [:]
        for display in slots.keys { groups[index.startPosition(forDisplay: display), default: []].append(display) }
        let state = try decodeState(pictureConfiguration)
        var written = Set<Int>()
        for start in groups.keys.sorted() {
            try decodeTargets((groups[start] ?? []).sorted(), startingAt: start, state: state) { picture, display in
                try converter.write(picture, slots: slots[display] ?? [], into: base, path: path)
                written.insert(display)
            }
        }
        let missing = Set(slots.keys).subtracting(written)
        if let first = missing.min() {
            recordUndecodable(missing)
            throw MediaError.corrupt(path: path, reason: "frame \(first) could not be decoded")
        }
    }
}
