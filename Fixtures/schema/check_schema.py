#!/usr/bin/env python3
"""Checks `ghost schema` with Python's jsonschema (an independent 2020-12 implementation).

Usage: check_schema.py SCHEMA.json OPENAI.json ANTHROPIC.json EXAMPLES.json REAL_WORLD_DIR

- the envelope schema and every tool's parameters are valid 2020-12 schemas;
- every real-world patch and every valid example conforms; every invalid example does not;
- each tool call example conforms to its tool's parameters and, as a patch, to the envelope schema.
Exits 0 when all hold, 1 with each failure listed, 2 when jsonschema is missing.
"""
import json
import pathlib
import sys

try:
    import jsonschema
    from jsonschema import Draft202012Validator
except ImportError:
    print("python3 has no jsonschema module: pip install jsonschema", file=sys.stderr)
    sys.exit(2)


def load(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def main():
    schema_path, openai_path, anthropic_path, examples_path, real_world = sys.argv[1:6]
    schema = load(schema_path)
    examples = load(examples_path)
    failures = []
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)

    real = sorted(p for p in pathlib.Path(real_world).glob("*.json") if not p.name.startswith("schema-"))
    for path in real:
        errors = list(validator.iter_errors(load(path)))
        if errors:
            failures.append(f"real-world {path.name} refused: {errors[0].message}")
    for patch in examples["valid"]:
        errors = list(validator.iter_errors(patch))
        if errors:
            failures.append(f"valid example {patch.get('id') or patch.get('blockId')} refused: {errors[0].message}")
    for case in examples["invalid"]:
        if validator.is_valid(case["patch"]):
            failures.append(f"invalid example accepted: {case['why']}")

    tools = 0
    for shape, path in (("openai", openai_path), ("anthropic", anthropic_path)):
        for tool in load(path):
            if shape == "openai":
                assert tool["type"] == "function", tool
                name, parameters = tool["function"]["name"], tool["function"]["parameters"]
            else:
                name, parameters = tool["name"], tool["input_schema"]
            Draft202012Validator.check_schema(parameters)
            tools += 1
            role = parameters["properties"]["role"]["enum"][0]
            call = examples["tool_calls"].get(role)
            if call is None:
                continue
            errors = list(Draft202012Validator(parameters).iter_errors(call))
            if errors:
                failures.append(f"{shape} tool {name} refuses its example: {errors[0].message}")
            if not validator.is_valid(call):
                failures.append(f"{shape} tool {name}'s example is not a valid patch")
    for failure in failures:
        print(failure)
    print(f"{len(real)} real-world patches, {len(examples['valid'])} valid and {len(examples['invalid'])} invalid examples, "
          f"{tools} tool definitions checked; {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
