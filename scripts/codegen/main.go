// Command pulumi-xen-codegen writes a Pulumi package's SDK from its schema with Pulumi's own code generators
// (github.com/pulumi/pulumi/pkg/v3/codegen/{python,nodejs,go}, at the CLI's version): what `pulumi package gen-sdk
// --language <python|nodejs|go>` runs inside that language's host. The hosts the module proxy serves (sdk/v3 v3.68.0
// and v3.66.0, see scripts/build-language-hosts.sh) predate that RPC, so scripts/gen-sdk.sh calls this instead.
//
//	pulumi-xen-codegen <python|nodejs|go> <schema.json> <out-dir> [version]
//
// For go, out-dir becomes one Go module whose path is the schema's language.go.importBasePath (the package's own
// directory, without the generator's leading "<name>/"), with a go.mod that requires the sdk/v3 of the CLI's version:
// a program uses it with `require <importBasePath> v<version>` and `replace <importBasePath> => <out-dir>`.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

func main() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: pulumi-xen-codegen <python|nodejs|go> <schema.json> <out-dir> [version]")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], os.Args[3], os.Args[4:]); err != nil {
		fmt.Fprintln(os.Stderr, "pulumi-xen-codegen:", err)
		os.Exit(1)
	}
}

func run(language, schemaPath, out string, rest []string) error {
	data, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		return fmt.Errorf("%s: %w", schemaPath, err)
	}
	if len(rest) > 0 {
		spec.Version = rest[0]
	}
	pkg, diags, err := schema.BindSpec(spec, noReferences{}, schema.ValidationOptions{})
	if err != nil {
		return err
	}
	if diags.HasErrors() {
		return diags
	}
	if pkg.Version == nil {
		v := semver.MustParse("0.0.0")
		pkg.Version = &v
	}
	var files map[string][]byte
	switch language {
	case "python":
		files, err = python.GeneratePackage("pulumi-xen", pkg, nil, noReferences{})
	case "nodejs":
		files, err = nodejs.GeneratePackage("pulumi-xen", pkg, nil, nil, false, noReferences{})
	case "go":
		files, err = goModule(pkg)
	default:
		return fmt.Errorf("language %q: python, nodejs or go", language)
	}
	if err != nil {
		return err
	}
	for name, content := range files {
		path := filepath.Join(out, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// The Go SDK for the Pulumi SDK version the CLI is (the generated code's own choice, v3.256.0, is only written into a
// go.mod when the schema asks for Pulumi's "pack" layout, which would also change the Python and Node.js SDKs).
const pulumiSDKModule, pulumiSDKVersion = "github.com/pulumi/pulumi/sdk/v3", "v3.259.0"

// goModule generates the Go SDK as one module rooted at the package's directory, with its go.mod.
func goModule(pkg *schema.Package) (map[string][]byte, error) {
	generated, err := gogen.GeneratePackage("pulumi-xen", pkg, nil)
	if err != nil {
		return nil, err
	}
	info, _ := pkg.Language["go"].(gogen.GoPackageInfo)
	if info.ImportBasePath == "" {
		return nil, fmt.Errorf("the schema has no language.go.importBasePath: the Go SDK's module path")
	}
	prefix := pkg.Name + "/"
	files := map[string][]byte{}
	for name, content := range generated {
		if rel, ok := strings.CutPrefix(name, prefix); ok {
			files[rel] = content
		}
	}
	if _, ok := files["pulumi-plugin.json"]; !ok {
		return nil, fmt.Errorf("the Go generator wrote no %spulumi-plugin.json", prefix)
	}
	// blang/semver: what the generated internal/pulumiUtilities.go imports besides the Pulumi SDK.
	files["go.mod"] = []byte(fmt.Sprintf("module %s\n\ngo 1.25\n\nrequire (\n\t%s %s\n\tgithub.com/blang/semver v3.5.1+incompatible\n)\n",
		info.ImportBasePath, pulumiSDKModule, pulumiSDKVersion))
	return files, nil
}

// noReferences loads no other package: the xen schema refers to none.
type noReferences struct{}

func (noReferences) LoadPackage(name string, _ *semver.Version) (*schema.Package, error) {
	return nil, fmt.Errorf("the schema refers to package %q: not supported", name)
}

func (noReferences) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, fmt.Errorf("the schema refers to package %q: not supported", d.Name)
}

func (noReferences) LoadPackageReference(name string, _ *semver.Version) (schema.PackageReference, error) {
	return nil, fmt.Errorf("the schema refers to package %q: not supported", name)
}

func (noReferences) LoadPackageReferenceV2(_ context.Context, d *schema.PackageDescriptor) (schema.PackageReference, error) {
	return nil, fmt.Errorf("the schema refers to package %q: not supported", d.Name)
}
