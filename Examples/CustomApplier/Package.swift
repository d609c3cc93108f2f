// swift-tools-version: 6.2
import PackageDescription

// A custom GhostRunner host with one extra role, `license_header`, built without touching GhostRunner:
// it depends on GhostRunner's library products and runs the whole `ghost` command line.
let package = Package(
    name: "CustomApplier",
    platforms: [.macOS(.v15)],
    products: [.executable(name: "license-ghost", targets: ["license-ghost"])],
    dependencies: [.package(name: "GhostRunner", path: "../..")],
    targets: [
        .target(name: "LicenseHeader", dependencies: [.product(name: "ApplierAPI", package: "GhostRunner")]),
        .executableTarget(
            name: "license-ghost",
            dependencies: [
                "LicenseHeader",
                .product(name: "Appliers", package: "GhostRunner"),
                .product(name: "GhostCLI", package: "GhostRunner"),
            ]
        ),
        .testTarget(
            name: "LicenseHeaderTests",
            dependencies: [
                "LicenseHeader",
                "license-ghost",
                .product(name: "ApplierAPI", package: "GhostRunner"),
                .product(name: "Host", package: "GhostRunner"),
                .product(name: "Appliers", package: "GhostRunner"),
            ]
        ),
    ]
)
