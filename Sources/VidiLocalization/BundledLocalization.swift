import Foundation

/// What ships inside vidi's resource bundle for localization: the small RCL model (made by
/// Tools/localization/make_bundled_model.sh, trained on the synthetic benchmark) and the 40 held-out
/// synthetic videos `vidi localize --demo` scores it on. Found next to the binary, not in the source tree.
public enum BundledLocalization {
    /// The RCL checkpoint, or nil when the resource bundle is missing.
    public static var modelPath: String? {
        Bundle.module.path(forResource: "rcl-synthetic", ofType: "safetensors", inDirectory: "Resources")
    }

    /// The demo set's folder of `<video id>.npy` feature files (T x C), or nil when missing.
    public static var demoFeatures: String? {
        Bundle.module.path(forResource: "features", ofType: nil, inDirectory: "Resources/demo")
    }

    /// The demo set's ActivityNet-style annotation JSON, or nil when missing.
    public static var demoAnnotations: String? {
        Bundle.module.path(forResource: "annotations", ofType: "json", inDirectory: "Resources/demo")
    }
}
