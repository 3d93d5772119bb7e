import Testing
import VidiPretext
import VidiRandom

/// Expected values come from reference/pretext.md (the official TAdaConv `MoSIGenerator`'s speed set,
/// travel distance and static mask) and from the pixels themselves: exact crops of the standardised picture
/// and a brute-force shift search between consecutive frames.
@Suite struct MoSITests {
    /// 480 x 320 seeded noise: the short side is already 320, so standardising only crops and every window
    /// is an exact copy of the picture.
    static func noise(seed: UInt64 = 7) throws -> RGBPicture {
        var random = RandomGenerator(seed: seed)
        let pixels = (0..<(480 * 320 * 3)).map { _ in UInt8(truncatingIfNeeded: random.next() >> 56) }
        return try RGBPicture(width: 480, height: 320, pixels: pixels)
    }

    static func plain(_ flip: FlipMode) -> MoSIConfiguration {
        var c = MoSIConfiguration().withoutAugmentation
        c.flip = flip
        return c
    }

    /// The clip's frame `f` as the window of the picture at its recorded position (mirrored when flipped).
    static func expectedFrame(_ clip: MoSIClip, _ f: Int, picture: RGBPicture, k: Int = 112, s: Int = 320) throws -> [UInt8] {
        let x = clip.flipped ? (s - k) - clip.xPositions[f] : clip.xPositions[f]
        let window = try picture.cropped(x: clip.standardCrop.x + x, y: clip.standardCrop.y + clip.yPositions[f], width: k, height: k)
        return clip.flipped ? window.flippedHorizontally().pixels : window.pixels
    }

    static func frame(_ clip: MoSIClip, _ f: Int, k: Int = 112) -> [UInt8] {
        Array(clip.pixels[(f * k * k * 3)..<((f + 1) * k * k * 3)])
    }

    /// The content shift (sx, sy) with frame1[p + s] == frame0[p], found by searching |s| <= 15 for the
    /// smallest squared difference over a central 48 x 48 patch of the green channel.
    static func measuredShift(_ a: [UInt8], _ b: [UInt8], k: Int = 112) -> (Int, Int) {
        var best = (0, 0), bestError = Int.max
        for sy in -15...15 {
            for sx in -15...15 {
                var error = 0
                for y in 32..<80 {
                    for x in 32..<80 {
                        let d = Int(a[(y * k + x) * 3 + 1]) - Int(b[((y + sy) * k + x + sx) * 3 + 1])
                        error += d * d
                    }
                }
                if error < bestError { (bestError, best) = (error, (sx, sy)) }
            }
        }
        return best
    }

    @Test func speedSetIsTheReferenceOrder() throws {
        let speeds = try MoSIGenerator().speeds.map { [$0.dx, $0.dy] }
        #expect(speeds == [[-2, 0], [-1, 0], [1, 0], [2, 0], [0, -2], [0, -1], [0, 1], [0, 2], [0, 0]])
    }

    /// Every frame is the exact window at its recorded position, the window travels (320 - 112) x speed / 2
    /// pixels (104 at |speed| 1, 208 at 2, within the truncation of linspace(...).long()), in the labelled
    /// direction, also when every clip is flipped.
    @Test(arguments: [FlipMode.off, .on])
    func framesAreExactWindowsTravellingAsLabelled(flip: FlipMode) throws {
        let picture = try Self.noise()
        let generator = try MoSIGenerator(Self.plain(flip))
        var random = RandomGenerator(seed: 3)
        let clips = try generator.generate(picture, random: &random)
        #expect(clips.map(\.label) == Array(0..<9))
        for clip in clips {
            let speed = generator.speeds[clip.label]
            #expect(clip.flipped == (flip == .on))
            #expect(clip.pixels.count == 16 * 112 * 112 * 3)
            for f in [0, 7, 15] { #expect(Self.frame(clip, f) == (try Self.expectedFrame(clip, f, picture: picture)), "label \(clip.label) frame \(f)") }
            let travelX = clip.xPositions[15] - clip.xPositions[0], travelY = clip.yPositions[15] - clip.yPositions[0]
            #expect(abs(travelX - 104 * speed.dx) <= 1, "label \(clip.label): x travel \(travelX)")
            #expect(abs(travelY - 104 * speed.dy) <= 1, "label \(clip.label): y travel \(travelY)")
            #expect(clip.xPositions.allSatisfy { (0...208).contains($0) } && clip.yPositions.allSatisfy { (0...208).contains($0) })
        }
    }

    /// Measured from pixels alone: the content between frames 0 and 1 moves by minus the window's step,
    /// so its sign is minus the label's speed on each axis, with and without the flip.
    @Test(arguments: [FlipMode.off, .on])
    func measuredMotionMatchesLabel(flip: FlipMode) throws {
        let generator = try MoSIGenerator(Self.plain(flip))
        var random = RandomGenerator(seed: 11)
        for clip in try generator.generate(try Self.noise(), random: &random) {
            let speed = generator.speeds[clip.label]
            let (sx, sy) = Self.measuredShift(Self.frame(clip, 0), Self.frame(clip, 1))
            #expect(sx == -(clip.xPositions[1] - clip.xPositions[0]) && sy == -(clip.yPositions[1] - clip.yPositions[0]), "label \(clip.label)")
            #expect(sx.signum() == -speed.dx.signum() && sy.signum() == -speed.dy.signum(), "label \(clip.label): shift (\(sx), \(sy))")
            if speed.dx != 0 { #expect(abs(sx) == (speed.dx.magnitude == 2 ? 13 : 6) || abs(sx) == (speed.dx.magnitude == 2 ? 14 : 7)) }
        }
    }

    /// The official flip mirrors without changing the label: a flipped x-moving clip then moves against it.
    @Test func officialFlipKeepsTheLabel() throws {
        let generator = try MoSIGenerator(Self.plain(.official))
        var random = RandomGenerator(seed: 5)
        var flippedXClips = 0
        for _ in 0..<4 {
            for clip in try generator.generate(try Self.noise(), random: &random) where clip.flipped && generator.speeds[clip.label].dx != 0 {
                flippedXClips += 1
                let travel = clip.xPositions[15] - clip.xPositions[0]
                #expect(travel.signum() == -generator.speeds[clip.label].dx.signum())
                #expect(clip.generatedSpeed.dx == generator.speeds[clip.label].dx)
            }
        }
        #expect(flippedXClips > 0)
    }

    /// Static mask (reference: frame t repeated outside an r W x r H window, r in [0.3, 0.5], moving
    /// content inside it).
    @Test func staticMaskGeometry() throws {
        var c = MoSIConfiguration()
        c.colorJitter = nil
        c.flip = .off
        let generator = try MoSIGenerator(c)
        let picture = try Self.noise()
        var random = RandomGenerator(seed: 9)
        for clip in try generator.generate(picture, random: &random) {
            let mask = try #require(clip.mask)
            #expect((33...56).contains(mask.box.width) && mask.box.width == mask.box.height)
            #expect(mask.box.x >= 0 && mask.box.y >= 0 && mask.box.x + mask.box.width <= 112 && mask.box.y + mask.box.height <= 112)
            #expect((0..<16).contains(mask.frame))
            let still = try Self.expectedFrame(clip, mask.frame, picture: picture)
            for f in [0, 5, 15] {
                let moving = try Self.expectedFrame(clip, f, picture: picture)
                let actual = Self.frame(clip, f)
                var outsideOK = true, insideOK = true
                for y in 0..<112 {
                    for x in 0..<112 {
                        let inside = x >= mask.box.x && x < mask.box.x + mask.box.width && y >= mask.box.y && y < mask.box.y + mask.box.height
                        let i = (y * 112 + x) * 3
                        if inside { insideOK = insideOK && actual[i..<(i + 3)] == moving[i..<(i + 3)] }
                        else { outsideOK = outsideOK && actual[i..<(i + 3)] == still[i..<(i + 3)] }
                    }
                }
                #expect(outsideOK && insideOK, "label \(clip.label) frame \(f)")
            }
        }
    }

    @Test func sameSeedSameBytes() throws {
        let generator = try MoSIGenerator()
        let picture = try Self.noise()
        var a = RandomGenerator(seed: 1), b = RandomGenerator(seed: 1), c = RandomGenerator(seed: 2)
        let first = try generator.generate(picture, random: &a)
        #expect(first == (try generator.generate(picture, random: &b)))
        #expect(first != (try generator.generate(picture, random: &c)))
    }

    /// Colour jitter draws per frame: frames of a static-class clip (same window) still differ.
    @Test func colorJitterIsPerFrame() throws {
        var c = MoSIConfiguration()
        c.staticMaskRatio = nil
        c.flip = .off
        var random = RandomGenerator(seed: 4)
        let clips = try MoSIGenerator(c).generate(try Self.noise(), random: &random)
        let still = clips[8]
        #expect(still.xPositions.allSatisfy { $0 == still.xPositions[0] })
        #expect(Self.frame(still, 0) != Self.frame(still, 1))
    }

    @Test func badConfigurationIsAnError() throws {
        var c = MoSIConfiguration()
        c.cropSize = 400
        #expect(throws: PretextError.self) { _ = try MoSIGenerator(c) }
        #expect(throws: PretextError.self) { _ = try RGBPicture(width: 4, height: 4, pixels: [1, 2, 3]) }
    }
}
