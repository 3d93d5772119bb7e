import VidiMedia

/// `resize`: sets the size (and optional centre crop) of frames decoded by the stages after it, as
/// torchvision's `Resize` → `CenterCrop` would (VidiMedia's model-input path: the decoder's YUV planes are
/// resized, antialiased on downscale, then converted). `{shorter_side: 256, crop: [224, 224]}`,
/// `{width: 320, height: 240}`, with `filter: bilinear|bicubic|area` (default bilinear, torchvision's).
struct ResizeStage: PipelineStage {
    let name = "resize"
    var geometry: FrameGeometry
    var outputs: [String] { [] }
    var role: StageRole { .geometry }
    var needsFrameIndex: Bool { false }

    static func make(_ parameters: StageParameters) throws -> any PipelineStage {
        guard let map = try parameters.mapping() else {
            throw parameters.keyNode.error("needs shorter_side, or width and height")
        }
        var geometry = FrameGeometry()
        let shorter = map.optional("shorter_side")
        let width = map.optional("width")
        let height = map.optional("height")
        switch (shorter, width, height) {
        case (let side?, nil, nil):
            geometry.resize = .shorterSide(try side.positiveInt())
        case (nil, let w?, let h?):
            geometry.resize = .fixed(width: try w.positiveInt(), height: try h.positiveInt())
        case (nil, nil, nil):
            if map.optional("crop") == nil { throw map.owner.error("needs shorter_side, or width and height, or crop") }
        case (_?, _, _):
            throw map.owner.error("give either shorter_side or width and height, not both")
        default:
            throw map.owner.error("width and height go together")
        }
        if let crop = map.optional("crop") {
            let sizes = try crop.list()
            guard sizes.count == 2 else { throw crop.error("expected [height, width]") }
            geometry.crop = (try sizes[0].positiveInt(), try sizes[1].positiveInt())
        }
        if let filter = map.optional("filter") {
            switch try filter.choice(["bilinear", "bicubic", "area"]) {
            case "bicubic": geometry.filter = .bicubic
            case "area": geometry.filter = .area
            default: geometry.filter = .bilinear
            }
        }
        try map.finish()
        return ResizeStage(geometry: geometry)
    }

    func process(_ video: VideoContext) throws {
        video.geometry = geometry
    }
}
