// swift-tools-version: 6.2
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "GhostRunner",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ghost", targets: ["ghost"]),
        .library(name: "ApplierAPI", targets: ["ApplierAPI"]),
        .library(name: "Appliers", targets: ["Appliers"]),
        .library(name: "Host", targets: ["Host"]),
        .library(name: "GhostCLI", targets: ["GhostCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2", traits: []),
    ],
    targets: [
        .systemLibrary(
            name: "CPCRE2",
            pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"]), .brew(["pcre2"])]
        ),
        .target(name: "ApplierAPI", dependencies: ["CPCRE2"], swiftSettings: strictSettings),
        .target(
            name: "Appliers",
            dependencies: [
                "ApplierAPI",
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Host",
            dependencies: [
                "ApplierAPI",
                "Appliers",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "GhostCLI",
            dependencies: [
                "Host",
                "ApplierAPI",
                "Appliers",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(name: "ghost", dependencies: ["GhostCLI"], swiftSettings: strictSettings),
        .testTarget(name: "ApplierAPITests", dependencies: ["ApplierAPI"], swiftSettings: strictSettings),
        .testTarget(name: "AppliersTests", dependencies: ["Appliers", "ApplierAPI"], swiftSettings: strictSettings),
        .testTarget(
            name: "HostTests",
            dependencies: ["Host", "Appliers", "ApplierAPI"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "GhostCLITests",
            dependencies: ["ghost", "GhostCLI", "Host", "ApplierAPI"],
            swiftSettings: strictSettings
        ),
    ]
)
