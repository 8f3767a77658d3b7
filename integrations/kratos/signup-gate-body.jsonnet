// The body Ory Kratos' registration web hook sends to signup-gate's POST /hooks/kratos (docs/kratos.md):
//   { "flow_id", "identity": { "id", "traits": { "email", "phone" } }, "ip" }
// `ctx` is Kratos' web hook template context (flow, identity, request_headers, ...). Absent values become null.
// Adjust the two trait names below if your identity schema calls them otherwise.
function(ctx)
  local has(obj, key) = std.isObject(obj) && std.objectHas(obj, key) && obj[key] != null;
  local identity = if has(ctx, 'identity') then ctx.identity else {};
  local traits = if has(identity, 'traits') then identity.traits else {};
  local text(obj, key) = if has(obj, key) && std.isString(obj[key]) && obj[key] != '' then obj[key] else null;
  // Kratos hands headers over as lists (Go's http.Header); only allow-listed ones reach the template, among
  // them True-Client-Ip (set by Cloudflare, Akamai and other proxies in front of Kratos).
  local header(name) =
    if has(ctx, 'request_headers') && has(ctx.request_headers, name) && std.length(ctx.request_headers[name]) > 0
    then ctx.request_headers[name][0]
    else null;
  // Before the identity is stored (the hook interrupts before that), Kratos gives it the nil UUID.
  local nilId = '00000000-0000-0000-0000-000000000000';
  {
    flow_id: ctx.flow.id,
    identity: {
      id: if text(identity, 'id') != null && identity.id != nilId then identity.id else null,
      traits: {
        email: text(traits, 'email'),
        phone: text(traits, 'phone'),
      },
    },
    ip: header('True-Client-Ip'),
  }
