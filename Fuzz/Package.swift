// swift-tools-version: 6.2
import PackageDescription

// libFuzzer target for the envelope parser and the content appliers (regex above all). Build and run it
// with `Fuzz/run.sh`; it is its own package because every module in it is built with -sanitize=fuzzer.
let package = Package(
    name: "GhostFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "GhostRunner", path: "..")],
    targets: [
        .executableTarget(
            name: "ghost-fuzz",
            dependencies: [
                .product(name: "ApplierAPI", package: "GhostRunner"),
                .product(name: "Appliers", package: "GhostRunner"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        )
    ]
)
