import Testing
import VidiPipeline
@testable import VidiModelStages

/// The `mosi` stage's augmentation switches: `augment: false` turns colour jitter and static masks off
/// together, `jitter` and `static_mask` each on their own (the probe experiment's ablation); `standard_size`
/// replaces the reference's 320.
@Suite struct MoSIStageTests {
    func configuration(_ parameters: String) throws -> (jitter: Bool, mask: Bool) {
        let spec = try PipelineSpec.parse(yaml: "stages:\n  - mosi: {\(parameters)}\n", catalog: try StageCatalog.standard.merging(.pretext))
        let stage = try #require(spec.stages.first as? MoSIStage)
        return (stage.configuration.colorJitter != nil, stage.configuration.staticMaskRatio != nil)
    }

    @Test func augmentationSwitches() throws {
        #expect(try configuration("seed: 0") == (true, true))
        #expect(try configuration("augment: false") == (false, false))
        #expect(try configuration("jitter: false") == (false, true))
        #expect(try configuration("static_mask: false") == (true, false))
        #expect(throws: (any Error).self) { _ = try configuration("jiter: false") }
        let spec = try PipelineSpec.parse(yaml: "stages:\n  - mosi: {standard_size: 224}\n", catalog: try StageCatalog.standard.merging(.pretext))
        #expect((spec.stages.first as? MoSIStage)?.configuration.standardSize == 224)
        #expect(throws: (any Error).self) { _ = try configuration("standard_size: 112") }  // not above the 112 crop
        #expect(throws: (any Error).self) { _ = try configuration("standard_size: 100000") }
    }
}
