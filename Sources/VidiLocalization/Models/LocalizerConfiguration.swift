/// The shape of a localizer, stored in its checkpoint's metadata (`vidi.localizer` → this as JSON).
public struct LocalizerConfiguration: Codable, Sendable, Equatable {
    public enum Head: String, Codable, Sendable {
        /// BMN's discrete boundary-matching map over every (start, duration) cell of the grid.
        case boundaryMatching = "bmn"
        /// RCL's continuous anchor head: any (start, end), coordinates as input, recurrent refinement.
        case continuous = "rcl"
    }

    public var head: Head
    /// Feature channels of the input `.npy` (C of T × C).
    public var inputChannels: Int
    public var classes: [String]
    /// Every video is rescaled to this many grid steps (BMN: 100).
    public var gridLength = 64
    /// Channels of the temporal encoder.
    public var hidden = 32
    /// Points sampled per query over [start − L/2, end + L/2] (BMN samples 32 bins).
    public var samples = 8
    /// Extra points read around each boundary of a query (`AnchorSampling`; 0 = none, as BMN). New RCL
    /// models read `defaultBoundarySamples` (RCL.md, "Boundary readout"); BMN's map reads none.
    public var boundarySamples: Int
    /// Points read evenly inside a query `[s, e]` and pooled per channel by min and max (`AnchorSampling.interior`;
    /// 0 = none, as BMN). They let the head see a background gap inside a long query, which falls between the
    /// bins. New RCL models read `defaultInteriorSamples` (RCL.md, "Interior readout").
    public var interiorSamples: Int
    /// BMN's second confidence: column 1 trained as a balanced logistic on tIoU > 0.9 and multiplied into the
    /// score (RCL.md, "Sharp confidence"). BMN's map always has it; RCL checkpoints without the field have not.
    public var sharpConfidence = false
    /// Width of the anchor MLP.
    public var mlpHidden = 128
    /// Refinement iterations after the first query (RCL; 0 = none).
    public var refinementSteps = 2
    /// Longest anchor of the discrete map in grid steps (BMN: D = T).
    public var maxDuration = 64

    public init(head: Head, inputChannels: Int, classes: [String]) {
        self.head = head; self.inputChannels = inputChannels; self.classes = classes
        boundarySamples = head == .continuous ? Self.defaultBoundarySamples : 0
        interiorSamples = head == .continuous ? Self.defaultInteriorSamples : 0
    }

    /// Boundary points of a new RCL model: enough for long queries' boundaries to be seen at most one grid
    /// step apart, where the encoder's receptive field (about ±2 steps) can still tell them apart.
    public static let defaultBoundarySamples = 4

    /// Interior points of a new RCL model: at most 2 grid steps apart on a 64-step grid, so a gap between two
    /// actions that the encoder's receptive field (about ±2 steps) can see is read by at least one point.
    public static let defaultInteriorSamples = 32

    enum CodingKeys: String, CodingKey {
        case head, inputChannels, classes, gridLength, hidden, samples, boundarySamples, interiorSamples, sharpConfidence, mlpHidden, refinementSteps, maxDuration
    }

    /// Checkpoints written before a field existed read with its default (every field after `classes`).
    public init(from decoder: any Decoder) throws {
        let k = try decoder.container(keyedBy: CodingKeys.self)
        head = try k.decode(Head.self, forKey: .head)
        inputChannels = try k.decode(Int.self, forKey: .inputChannels)
        classes = try k.decode([String].self, forKey: .classes)
        gridLength = try k.decodeIfPresent(Int.self, forKey: .gridLength) ?? gridLength
        hidden = try k.decodeIfPresent(Int.self, forKey: .hidden) ?? hidden
        samples = try k.decodeIfPresent(Int.self, forKey: .samples) ?? samples
        // Checkpoints from before the boundary readout have no field and no boundary columns in the head.
        boundarySamples = try k.decodeIfPresent(Int.self, forKey: .boundarySamples) ?? 0
        // Likewise before the interior readout and the sharp confidence: no interior columns, score without column 1.
        interiorSamples = try k.decodeIfPresent(Int.self, forKey: .interiorSamples) ?? 0
        sharpConfidence = try k.decodeIfPresent(Bool.self, forKey: .sharpConfidence) ?? false
        mlpHidden = try k.decodeIfPresent(Int.self, forKey: .mlpHidden) ?? mlpHidden
        refinementSteps = try k.decodeIfPresent(Int.self, forKey: .refinementSteps) ?? refinementSteps
        maxDuration = try k.decodeIfPresent(Int.self, forKey: .maxDuration) ?? maxDuration
    }

    /// Width of the sinusoidal coordinate encoding the continuous head receives.
    public static let coordinateFeatures = 12

    func validate() throws(LocalizationError) {
        guard inputChannels > 0, !classes.isEmpty, gridLength >= 8, hidden > 0, samples >= 2, boundarySamples >= 0, interiorSamples >= 0, mlpHidden > 0,
              refinementSteps >= 0, maxDuration >= 1, maxDuration <= gridLength else {
            throw .invalidArgument("localizer configuration out of range: \(self)")
        }
    }
}
