import ApplierAPI
import Foundation
import GhostTesting
import Testing

@testable import Host

/// Before-images: what is captured (changed files that existed, within the bound), and the gzip file they
/// are kept in under `.ghost/before/`.
@Suite struct BeforeImageStoreTests {
    static let old = FileContent(bytes: Array("old\n".utf8), mode: 0o640)
    static let new = FileContent(bytes: Array("new\n".utf8), mode: 0o644)

    @Test func capturesChangedFilesThatExistedOnly() {
        let images = BeforeImages.capture(
            [("a", Self.old, Self.new, nil), ("created", nil, Self.new, nil), ("same", Self.new, Self.new, nil), ("deleted", Self.old, nil, nil)],
            limit: 1 << 20
        )
        #expect(images.images.map(\.path) == ["a", "deleted"])
        #expect(images.images[0].mode == 0o640)
        #expect(images.images[0].sha256 == Digest.sha256(Self.old.bytes))
        #expect(images.overLimit == nil)
    }

    @Test func aPatchPastTheBoundKeepsNoImageAndSaysWhichFile() {
        let big = FileContent(bytes: [UInt8](repeating: 7, count: 100))
        let images = BeforeImages.capture([("a", Self.old, Self.new, nil), ("big", big, Self.new, nil)], limit: 50)
        #expect(images.images.isEmpty)
        #expect(images.overLimit?.path == "big")
        #expect(images.overLimit?.bytes == 104)
    }

    @Test func writtenImagesReadBackWholeAndGoWhenRemoved() throws {
        let folder = URL(fileURLWithPath: try makeTempFolder("before"))
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = BeforeImageStore(internalFolder: folder)
        var binary = [UInt8](repeating: 0, count: 300_000)
        for index in binary.indices { binary[index] = UInt8(truncatingIfNeeded: index * 31) }
        let images = BeforeImages.capture(
            [
                ("src/a.txt", Self.old, Self.new, nil), ("bin/blob", FileContent(bytes: binary, mode: 0o755), nil, nil),
                ("empty", FileContent(bytes: []), Self.new, nil),
            ],
            limit: 1 << 20
        )
        try store.write(images, id: "id/with spaces", attempt: 2)
        #expect(store.read(id: "id/with spaces", attempt: 2) == images)
        #expect(store.read(id: "id/with spaces", attempt: 1) == nil)
        #expect(store.url(id: "id/with spaces", attempt: 2).lastPathComponent.hasSuffix("-2.gz"))
        store.remove(id: "id/with spaces", attempt: 2)
        #expect(store.read(id: "id/with spaces", attempt: 2) == nil)
    }

    @Test func anImageCutShortIsNotRead() throws {
        let folder = URL(fileURLWithPath: try makeTempFolder("before"))
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = BeforeImageStore(internalFolder: folder)
        let big = FileContent(bytes: (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7919 >> 3) })
        try store.write(BeforeImages.capture([("a", big, Self.new, nil)], limit: 1 << 20), id: "p", attempt: 1)
        let url = store.url(id: "p", attempt: 1)
        let whole = try Data(contentsOf: url)
        try whole.prefix(whole.count / 2).write(to: url)
        #expect(store.read(id: "p", attempt: 1) == nil)
        #expect(BeforeImages(encoded: Array("{\"files\":[{\"path\":\"a\",\"mode\":420,\"sha256\":\"x\",\"size\":9}]}\nabc".utf8)) == nil)
    }
}
