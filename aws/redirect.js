// CloudFront Function, viewer-request event, on the bare domain: every request gets a permanent redirect to
// the blog, so the private origin bucket is never reached. LOCATION is filled in from config as a JSON string.
var LOCATION = "__REDIRECT_LOCATION__";

function handler(event) {
  return {
    statusCode: 301,
    statusDescription: "Moved Permanently",
    headers: { location: { value: LOCATION } },
  };
}
