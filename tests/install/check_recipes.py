#!/usr/bin/env python3
"""Static checks of the package recipes, runnable without vcpkg or Conan: the vcpkg overlay port
(packaging/vcpkg/keyward: vcpkg.json, portfile.cmake, usage) and the Conan recipe and its test package
(packaging/conan), read as JSON, text and Python syntax trees (Conan is never imported).
Prints PASS <name> or FAIL <name>: <reason> per check; exits 1 if any failed.

Usage: /usr/bin/python3 tests/install/check_recipes.py [SOURCE_DIR]   (default: this checkout)
"""
import ast
import json
import pathlib
import re
import sys

failures = 0


def report(name, problem):
    """Prints the verdict of one check; `problem` is None when it passed."""
    global failures
    if problem is None:
        print(f"PASS {name}")
    else:
        failures += 1
        print(f"FAIL {name}: {problem}")


def read(path):
    """The text of a file, or None when it is missing."""
    return path.read_text(encoding="utf-8") if path.is_file() else None


# ---- Python syntax trees (the Conan recipes) -------------------------------------------------------------

def literal(node):
    """The value of a constant expression (string, number, tuple, dict...), or None when it is not one."""
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError):
        return None


def call_name(call):
    """`f` for f(...), `a.b.f` for a.b.f(...)."""
    parts, node = [], call.func
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def calls(tree, name):
    """Every call named `name` in `tree` (see call_name)."""
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and call_name(n) == name]


def conan_class(tree):
    """The recipe class: the one deriving from ConanFile."""
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and any(getattr(b, "id", None) == "ConanFile" for b in node.bases):
            return node
    return None


def attributes(cls):
    """The class attributes assigned a constant value: {name: value}."""
    found = {}
    for node in cls.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = literal(node.value)
    return found


def method(cls, name):
    """The method `name` of the class, or None."""
    return next((n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == name), None)


def has_call(tree, name, args):
    """Whether `tree` calls `name` with these leading positional arguments; `self` stands for the name self."""
    for call in calls(tree, name) if tree is not None else []:
        given = [("self" if isinstance(a, ast.Name) and a.id == "self" else literal(a)) for a in call.args]
        if given[:len(args)] == list(args):
            return True
    return False


def calls_named_attr(tree, attr):
    """Every call of a method named `attr`, on any object."""
    if tree is None:
        return []
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
            and n.func.attr == attr]


def load_recipe(path, name):
    """Parses a recipe; reports `name` and returns (tree, class) or (None, None)."""
    text = read(path)
    if text is None:
        report(name, f"{path} is missing")
        return None, None
    try:
        tree = ast.parse(text, filename=str(path))
    except SyntaxError as e:
        report(name, f"{path}:{e.lineno}: {e.msg}")
        return None, None
    cls = conan_class(tree)
    report(name, None if cls else f"{path} defines no class deriving from ConanFile")
    return (tree, cls) if cls else (None, None)


def check_conan_recipe(path):
    tree, cls = load_recipe(path, "conan_recipe_parses")
    if cls is None:
        return
    module_values = {t.id: literal(n.value) for n in tree.body if isinstance(n, ast.Assign)
                     for t in n.targets if isinstance(t, ast.Name)}
    report("conan_required_version", None if module_values.get("required_conan_version") == ">=2.0"
           else "required_conan_version must be \">=2.0\"")

    attrs = attributes(cls)
    expected = {"name": "keyward", "license": "MIT", "package_type": "header-library", "no_copy_source": True}
    wrong = [f"{k} = {attrs.get(k)!r} (want {v!r})" for k, v in expected.items() if attrs.get(k) != v]
    for key in ("version", "description", "homepage", "url"):
        if not isinstance(attrs.get(key), str) or not attrs[key]:
            wrong.append(f"{key} is not set")
    if "header-only" not in (attrs.get("topics") or ()):
        wrong.append("topics lack \"header-only\"")
    if set(attrs.get("settings") or ()) != {"os", "arch", "compiler", "build_type"}:
        wrong.append("settings must be os, arch, compiler, build_type")
    report("conan_attributes", "; ".join(wrong) or None)

    options, defaults = attrs.get("options") or {}, attrs.get("default_options") or {}
    report("conan_option_with_redis",
           None if set(options.get("with_redis", ())) == {True, False} and defaults.get("with_redis") is False
           else "options must have with_redis [True, False], default False")
    report("conan_redis_requires_hiredis",
           None if has_call(method(cls, "requirements"), "self.requires", ["hiredis/[>=1.0 <2]"])
           else "requirements() must call self.requires(\"hiredis/[>=1.0 <2]\")")

    layout = method(cls, "layout")
    layout_ok = layout is not None and any(
        any(k.arg == "src_folder" and literal(k.value) == "src" for k in c.keywords)
        for c in calls(layout, "basic_layout"))
    report("conan_layout", None if layout_ok else "layout() must call basic_layout(self, src_folder=\"src\")")

    exporter = method(cls, "export_sources")
    patterns = [literal(c.args[1]) for c in calls(exporter, "copy") if len(c.args) > 1] if exporter else []
    report("conan_export_sources",
           None if exporter and any(str(p).startswith("include") for p in patterns) and "LICENSE" in patterns
           else "export_sources() must copy include/ and LICENSE")

    package_id = method(cls, "package_id")
    report("conan_package_id_clear",
           None if package_id and calls(package_id, "self.info.clear")
           else "package_id() must call self.info.clear() (one package for every configuration)")
    report("conan_validate_cppstd",
           None if has_call(method(cls, "validate"), "check_min_cppstd", ["self", 17])
           else "validate() must call check_min_cppstd(self, 17)")

    info = method(cls, "package_info")
    wanted = [("cmake_file_name", "keyward"), ("cmake_target_name", "keyward::keyward"),
              ("pkg_config_name", "keyward"), ("cmake_target_name", "keyward::redis")]
    set_properties = [[literal(a) for a in c.args[:2]] for c in calls_named_attr(info, "set_property")]
    missing = [f"{k}={v}" for k, v in wanted if [k, v] not in set_properties]
    report("conan_package_info_names", "package_info() does not set " + ", ".join(missing) if missing else None)


def check_conan_test_package(folder):
    tree, cls = load_recipe(folder / "conanfile.py", "conan_test_package_parses")
    if cls is not None:
        attrs = attributes(cls)
        wrong = []
        if attrs.get("test_type") != "explicit":
            wrong.append("test_type must be \"explicit\"")
        generators = attrs.get("generators") or ()
        generators = (generators,) if isinstance(generators, str) else generators
        for generator in ("CMakeDeps", "CMakeToolchain"):
            if generator not in generators and not calls(tree, generator):
                wrong.append(f"no {generator}")
        if not has_call(method(cls, "layout"), "cmake_layout", ["self"]):
            wrong.append("layout() must call cmake_layout(self)")
        requirements = method(cls, "requirements")
        requires = calls(requirements, "self.requires") if requirements else []
        if not any(a.args and ast.unparse(a.args[0]) == "self.tested_reference_str" for a in requires):
            wrong.append("requirements() must require self.tested_reference_str")
        test = method(cls, "test")
        if test is None or not calls(test, "can_run"):
            wrong.append("test() must run the binary only when can_run(self)")
        report("conan_test_package_recipe", "; ".join(wrong) or None)

    cmake = read(folder / "CMakeLists.txt")
    source = read(folder / "test_package.cpp")
    wrong = []
    if cmake is None:
        wrong.append("CMakeLists.txt is missing")
    else:
        code = strip_cmake_comments(cmake)
        for pattern, what in [(r"project\(\s*test_package\s+LANGUAGES\s+CXX\s*\)", "project(test_package LANGUAGES CXX)"),
                              (r"find_package\(\s*keyward\s+CONFIG\s+REQUIRED\s*\)", "find_package(keyward CONFIG REQUIRED)"),
                              (r"add_executable\(\s*test_package\s+test_package\.cpp\s*\)", "add_executable(test_package test_package.cpp)"),
                              (r"target_link_libraries\(\s*test_package\b[^)]*\bkeyward::keyward\b", "a link to keyward::keyward")]:
            if not re.search(pattern, code):
                wrong.append(f"CMakeLists.txt lacks {what}")
    if source is None:
        wrong.append("test_package.cpp is missing")
    elif "keyward::http::parse_basic" not in source and "http::parse_basic" not in source:
        wrong.append("test_package.cpp does not parse a Basic header with keyward::http::parse_basic")
    report("conan_test_package_files", "; ".join(wrong) or None)


# ---- vcpkg ------------------------------------------------------------------------------------------------

def strip_cmake_comments(text):
    """CMake code without its line comments (a '#' outside a quoted string starts one)."""
    kept = []
    for line in text.splitlines():
        quoted, cut = False, len(line)
        for i, c in enumerate(line):
            if c == '"' and (i == 0 or line[i - 1] != "\\"):
                quoted = not quoted
            elif c == "#" and not quoted:
                cut = i
                break
        kept.append(line[:cut])
    return "\n".join(kept)


def check_vcpkg(port):
    text = read(port / "vcpkg.json")
    if text is None:
        report("vcpkg_json", f"{port / 'vcpkg.json'} is missing")
    else:
        try:
            manifest = json.loads(text)
        except json.JSONDecodeError as e:
            report("vcpkg_json", f"invalid JSON: {e}")
        else:
            wrong = [f"{key} is missing" for key in ("name", "version-semver", "description", "homepage", "license")
                     if not manifest.get(key)]
            if manifest.get("name") not in (None, "keyward"):
                wrong.append(f"name is {manifest['name']!r}")
            if manifest.get("license") not in (None, "MIT"):
                wrong.append(f"license is {manifest['license']!r}")
            if not re.fullmatch(r"\d+\.\d+\.\d+", str(manifest.get("version-semver", ""))):
                wrong.append("version-semver is not MAJOR.MINOR.PATCH")
            report("vcpkg_json", "; ".join(wrong) or None)
            host = {d.get("name") for d in manifest.get("dependencies", []) if isinstance(d, dict) and d.get("host")}
            missing = {"vcpkg-cmake", "vcpkg-cmake-config"} - host
            report("vcpkg_json_host_dependencies",
                   "no host dependency on " + ", ".join(sorted(missing)) if missing else None)
            redis = manifest.get("features", {}).get("redis", {})
            names = {d if isinstance(d, str) else d.get("name") for d in redis.get("dependencies", [])}
            report("vcpkg_json_redis_feature",
                   None if "hiredis" in names else "feature redis must depend on hiredis")

    text = read(port / "portfile.cmake")
    if text is None:
        report("vcpkg_portfile", f"{port / 'portfile.cmake'} is missing")
    else:
        code = strip_cmake_comments(text)
        required = [(r"vcpkg_cmake_configure\s*\(", "vcpkg_cmake_configure"),
                    (r"vcpkg_cmake_install\s*\(", "vcpkg_cmake_install"),
                    (r"vcpkg_cmake_config_fixup\s*\(", "vcpkg_cmake_config_fixup"),
                    (r"vcpkg_install_copyright\s*\(", "vcpkg_install_copyright"),
                    (r"file\s*\(\s*INSTALL\s[^)]*\busage\b", "file(INSTALL ... usage ...)")]
        missing = [what for pattern, what in required if not re.search(pattern, code)]
        report("vcpkg_portfile", "does not call " + ", ".join(missing) if missing else None)

    text = read(port / "usage")
    if text is None:
        report("vcpkg_usage", f"{port / 'usage'} is missing")
    else:
        missing = [s for s in ("find_package(keyward CONFIG REQUIRED)", "keyward::keyward") if s not in text]
        report("vcpkg_usage", "does not name " + ", ".join(missing) if missing else None)


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parents[2])
    check_vcpkg(root / "packaging" / "vcpkg" / "keyward")
    check_conan_recipe(root / "packaging" / "conan" / "conanfile.py")
    check_conan_test_package(root / "packaging" / "conan" / "test_package")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
