// swift-tools-version: 6.2
import PackageDescription

// NSRegularExpression doing the same job as a `ghost apply` ui_patch: a baseline for Benchmarks/regex-throughput.sh.
let package = Package(
    name: "NSRegexBaseline",
    targets: [.executableTarget(name: "nsregex-baseline")]
)
