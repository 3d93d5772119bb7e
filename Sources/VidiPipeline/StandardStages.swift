extension StageCatalog {
    /// The built-in stages specs can name.
    public static let standard = StageCatalog([
        "probe": ProbeStage.make,
        "resize": ResizeStage.make,
        "frames": FramesStage.make,
        "keyframes": KeyframesStage.make,
        "clips": ClipsStage.make,
        "motion_vectors": MotionVectorsStage.make,
        "dense_motion": DenseMotionStage.make,
        "frame_types": FrameTypesStage.make,
    ])
}
