import Testing
@testable import VidiMedia

@Suite struct MediaErrorTests {
    @Test func ffmpegCodesBecomeReadableText() {
        // av_strerror's own text for AVERROR_INVALIDDATA.
        #expect(ffmpegErrorText(-1094995529) == "Invalid data found when processing input")
        #expect(throws: MediaError.self) { try check(-1094995529, "avcodec_send_packet", path: "x.mp4") }
    }
}
