import CFFmpeg

extension VideoReader {
    /// Resolves `request` against this video (frames, sizes, crop offsets, output shape) without decoding.
    /// Errors: `.invalidArgument` for bad sizes, crops that do not fit, bad normalisation; `.outOfRange`
    /// for clips longer than the video.
    public func modelInputPlan(_ request: ModelInputRequest) throws -> ModelInputPlan {
        try indexed()
        return try ModelInputPlan(request: request, info: info)
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
        try fillModelInput(plan, into: buffer, converter: ModelInputConverter(plan: plan))
    }

    /// `fillModelInput` with a converter set up by the caller (tests compare converter settings).
    func fillModelInput(_ plan: ModelInputPlan, into buffer: UnsafeMutableRawBufferPointer,
                        converter: ModelInputConverter) throws {
        try indexed()
        guard buffer.count >= plan.byteCount, let base = buffer.baseAddress else {
            throw MediaError.invalidArgument("model input needs \(plan.byteCount) bytes, the buffer holds \(buffer.count)")
        }
        guard plan.elementSize == 1 || Int(bitPattern: base) % MemoryLayout<Float>.alignment == 0 else {
            throw MediaError.invalidArgument("model input buffer is not aligned for Float")
        }
        HugePages.advise(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<plan.byteCount]))
        var slots: [Int: [(clip: Int, t: Int)]] = [:]
        for (c, clip) in plan.clips.enumerated() {
            for (t, display) in clip.enumerated() {
                try checkIndex(display)
                slots[display, default: []].append((c, t))
            }
        }
        let written = try decodePictures(slots.keys.sorted(), keyframesOnly: plan.request.frames == .keyframes) { picture, display in
            try converter.write(picture, slots: slots[display] ?? [], into: base, path: path)
        }
        let missing = Set(slots.keys).subtracting(written)
        if let first = missing.min() {
            recordUndecodable(missing)
            throw MediaError.corrupt(path: path, reason: "frame \(first) could not be decoded")
        }
    }

    /// The frames `request` asks for, one at a time in display order (each distinct index once), each
    /// resized, cropped and laid out as the request says: `.hwcBytes` gives `.rgb8` pixels, `.chw` gives
    /// `.planarFloat` values normalised by the request. This is how frames are written to files and how
    /// the pipeline's frame stages read them: the same pixels as `modelInput`, with one frame alive at a
    /// time. The clip layouts and per-clip random crops are refused (`.invalidArgument`): they describe
    /// a whole batch. Frames that do not decode are left out and recorded in `undecodableFrames`; with
    /// `skippingUndecodable` false the call then throws `MediaError.corrupt` after the others came.
    public func forEachModelInputFrame(_ request: ModelInputRequest, skippingUndecodable: Bool = false,
                                       _ body: (Frame) throws -> Void) throws {
        guard request.layout == .hwcBytes || request.layout == .chw else {
            throw MediaError.invalidArgument("frames one at a time come as .hwcBytes or .chw, not \(request.layout)")
        }
        if case .random = request.crop {
            throw MediaError.invalidArgument("a random crop is drawn per clip; frames one at a time take a centre crop or none")
        }
        // Keyframes need no index (see `decodeKeyframes`): the plan then takes the stream header's sizes.
        let oneByOneKeyframes = request.frames == .keyframes
        let plan = try (oneByOneKeyframes && !isIndexed
            ? ModelInputPlan(request: request, info: headerInfo, clips: [[0]]) : modelInputPlan(request)).singleFrame
        let planConverter = ModelInputConverter(plan: plan)
        let count = plan.elementCount
        // Bytes of the whole picture as displayed are `FrameConverter`'s RGB24 (the same swscale set-up, the
        // ffmpeg CLI's), which lets swscale write straight into the frame's array: no copy of each picture
        // out of swscale's padded buffer.
        let wholePicture = request.layout == .hwcBytes && plan.width == plan.resizedWidth && plan.height == plan.resizedHeight
        let swapped = plan.rotation % 180 != 0
        func deliver(_ picture: UnsafeMutablePointer<AVFrame>, _ display: Int, _ timestamp: Double, _ isKeyframe: Bool) throws {
            let pixels: FramePixels
            let (shownWidth, shownHeight) = swapped ? (picture.pointee.height, picture.pointee.width) : (picture.pointee.width, picture.pointee.height)
            if wholePicture, Int(shownWidth) == plan.width, Int(shownHeight) == plan.height {
                pixels = try converter.convert(picture, output: FrameOutput(applyRotation: request.applyRotation),
                                                    rotation: headerInfo.rotation, path: path).pixels
            } else if request.layout == .hwcBytes {
                pixels = .rgb8(try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
                    guard let base = buffer.baseAddress else { return }
                    try planConverter.write(picture, slots: [(0, 0)], into: base, path: self.path)
                    initialized = count
                })
            } else {
                pixels = .planarFloat(try [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                    guard let base = buffer.baseAddress else { return }
                    try planConverter.write(picture, slots: [(0, 0)], into: base, path: self.path)
                    initialized = count
                })
            }
            try body(Frame(index: display, timestamp: timestamp, pictureType: PictureType(picture.pointee.pict_type),
                           isKeyframe: isKeyframe, width: plan.width, height: plan.height, pixels: pixels))
        }
        let wanted: [Int], delivered: Set<Int>
        if oneByOneKeyframes {
            (wanted, delivered) = try decodeKeyframes { picture, display, timestamp in
                try deliver(picture, display, timestamp, true)
            }
            // As the indexed path's plan reports it (`FrameSampler.keyframes`).
            if wanted.isEmpty { throw MediaError.corrupt(path: path, reason: "the packet index holds no keyframe") }
        } else {
            wanted = Set(try request.frames.indices(for: info)).sorted()
            delivered = try decodePictures(wanted, keyframesOnly: false) { picture, display in
                try deliver(picture, display, info.frameTimestamps[display], index.entries[index.displayToDecode[display]].isKeyframe)
            }
        }
        let missing = Set(wanted).subtracting(delivered)
        recordUndecodable(missing)
        if !skippingUndecodable, let first = missing.min() {
            throw MediaError.corrupt(path: path, reason: "frame \(first) could not be decoded")
        }
    }

    /// Decodes the display indices `wanted` (ascending, distinct) and calls `body` once with each picture
    /// that comes out, in display order; returns the indices delivered. Keyframes alone
    /// (`keyframesOnly`) are decoded each on its own: the demuxer seeks straight to its packet (from the
    /// index), the decoder gets that packet alone and is drained, so no other packet is read or decoded
    /// (a one-pass `skip_frame = NONKEY` decode would demux every packet again, after the open's index
    /// scan already read them). Other frames are decoded GOP by GOP, each group of pictures once.
    func decodePictures(_ wanted: [Int], keyframesOnly: Bool,
                        _ body: (UnsafeMutablePointer<AVFrame>, Int) throws -> Void) throws -> Set<Int> {
        var delivered = Set<Int>()
        if keyframesOnly {
            let state = try decodeState(DecoderConfiguration(exportsMotion: false, keyframesOnly: true))
            guard canSeek else {
                // Pipes and streams without timestamps: one pass, non-key packets withheld; pictures are
                // kept (references, not copies) until the pass ends, to come out in display order.
                var pictures: [Int: UnsafeMutablePointer<AVFrame>] = [:]
                defer { for picture in pictures.values { var owned: UnsafeMutablePointer<AVFrame>? = picture; av_frame_free(&owned) } }
                let targets = Set(wanted)
                try position(state, at: 0)
                try pump(state) { picture, display in
                    if targets.contains(display), pictures[display] == nil { pictures[display] = av_frame_clone(picture) }
                    return true
                }
                for display in wanted {
                    guard let picture = pictures[display] else { continue }
                    try body(picture, display)
                    delivered.insert(display)
                }
                return delivered
            }
            for target in wanted {
                let packet = index.displayToDecode[target]
                try position(state, at: packet)
                state.lastPacket = packet
                try pump(state) { picture, display in
                    if display == target, delivered.insert(display).inserted { try body(picture, display) }
                    return true
                }
            }
            return delivered
        }
        var groups: [Int: [Int]] = [:]
        for display in wanted { groups[index.startPosition(forDisplay: display), default: []].append(display) }
        let state = try decodeState(pictureConfiguration)
        for start in groups.keys.sorted() {
            try decodeTargets(groups[start] ?? [], startingAt: start, state: state) { picture, display in
                try body(picture, display)
                delivered.insert(display)
            }
        }
        return delivered
    }

    /// Whether the demuxer can jump to an indexed packet (a file, not a pipe, with timestamps).
    private var canSeek: Bool {
        guard index.hasTimestamps, let io = input.pointer.pointee.pb else { return false }
        return io.pointee.seekable != 0
    }
}
