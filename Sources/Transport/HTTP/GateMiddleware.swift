import ApplierAPI
import HTTPTypes
import Hummingbird

/// Runs every request, routed or not, through the ``RequestGate`` before anything else, and adds CORS
/// headers only for origins the config lists.
struct GateMiddleware<Context: RequestContext>: RouterMiddleware {
    let gate: RequestGate

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let origin = request.headers[.origin]
        let contentType = request.headers[.contentType]
        let hasBody = request.method == .post || request.method == .put || request.method == .patch
        var headers = RequestGate.Headers(
            host: request.head.authority,
            origin: origin,
            secFetchSite: request.headers[secFetchSiteField],
            hasSecFetchHeader: false,
            contentType: contentType,
            hasBody: hasBody
        )
        // Only a body that is not JSON needs to know of Sec-Fetch-* headers: the fields are scanned only then.
        if hasBody && !RequestGate.isJSON(contentType) {
            headers.hasSecFetchHeader = request.headers.contains { $0.name.canonicalName.hasPrefix("sec-fetch-") }
        }
        if let refusal = gate.check(headers) {
            switch refusal {
            case .misdirected(let message): return HTTPTransport.error(ApplyError(.misdirectedRequest, message))
            case .forbiddenOrigin(let message): return HTTPTransport.error(ApplyError(.forbiddenOrigin, message))
            case .unsupportedMediaType(let message): return HTTPTransport.error(ApplyError(.unsupportedMediaType, message))
            }
        }
        guard let allowed = gate.corsOrigin(origin) else { return try await next(request, context) }
        if request.method == .options {
            var fields = HTTPFields()
            fields[.accessControlAllowMethods] = "GET, POST"
            fields[.accessControlAllowHeaders] = "Content-Type, Authorization, X-Hub-Signature-256"
            fields[.accessControlMaxAge] = "600"
            fields[.accessControlAllowOrigin] = allowed
            fields[.vary] = "Origin"
            return Response(status: .noContent, headers: fields)
        }
        var response = try await next(request, context)
        response.headers[.accessControlAllowOrigin] = allowed
        response.headers[.vary] = "Origin"
        return response
    }
}

private let secFetchSiteField = HTTPField.Name("Sec-Fetch-Site")!
