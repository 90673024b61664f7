"""Derives the response field paths (any type) of the OpenAI operations the gateway serves from openai-openapi.yaml.

Usage: python3 derive-response-fields.py openai-openapi.yaml > response-fields.txt
Paths: a.b for properties, a[] for array items, a.* for map values; anyOf/oneOf/allOf branches are unioned;
a schema met again on its own path is cut (recursion).
"""
import sys
import yaml

spec = yaml.safe_load(open(sys.argv[1]))
schemas = spec["components"]["schemas"]


def resolve(s):
    while isinstance(s, dict) and "$ref" in s:
        s = schemas[s["$ref"].split("/")[-1]]
    return s


def walk(s, path, seen, out):
    if not isinstance(s, dict):
        return
    ref = s.get("$ref")
    if ref:
        if ref in seen:
            return
        seen = seen | {ref}
        s = resolve(s)
    if path:
        out.add(path)
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in s.get(key, []):
            walk(branch, path, seen, out)
    for name, prop in (s.get("properties") or {}).items():
        walk(prop, (path + "." if path else "") + name, seen, out)
    if "items" in s:
        walk(s["items"], path + "[]", seen, out)
    ap = s.get("additionalProperties")
    if isinstance(ap, dict):
        walk(ap, path + ".*", seen, out)


APIS = {
    "chat-completions": ["CreateChatCompletionResponse", "CreateChatCompletionStreamResponse"],
    "completions": ["CreateCompletionResponse"],
    "embeddings": ["CreateEmbeddingResponse"],
    "responses": ["Response", "ResponseStreamEvent"],
}
print("# Field paths of the 2xx responses (whole and streamed) of the OpenAI operations the gateway serves,")
print("# derived from the OpenAI OpenAPI spec (openai/openai-openapi, MIT licence) by")
print("# portcullis-guard/data/openapi/derive-response-fields.py. a[] = array item, a.* = map value.")
for api, roots in APIS.items():
    out = set()
    for r in roots:
        walk({"$ref": "#/components/schemas/" + r}, "", frozenset(), out)
    for p in sorted(out):
        print(api + " " + p)
