import Foundation

/// The `small` network with `rde` memory that ships inside vidi's resource bundle (trained by
/// Tools/train-vos-default.sh on Vidi's synthetic VOS data): the weights `vidi segment` and the `segment`
/// stage use when none are given. Found next to the binary, so it survives moving the source tree.
public enum BundledSegmentationModel {
    /// The weights' path, or nil when the resource bundle is missing (a binary copied without it).
    public static var path: String? {
        Bundle.module.path(forResource: "small-rde", ofType: "safetensors", inDirectory: "Resources")
    }
}
