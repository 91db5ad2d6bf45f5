// Command pulumi-xen-codegen writes a Pulumi package's SDK from its schema with Pulumi's own code generators
// (github.com/pulumi/pulumi/pkg/v3/codegen/{python,nodejs}, at the CLI's version): what `pulumi package gen-sdk
// --language <python|nodejs>` runs inside that language's host. The hosts the module proxy serves (sdk/v3 v3.68.0,
// see scripts/build-language-hosts.sh) predate that RPC, so scripts/gen-sdk.sh calls this instead.
//
//	pulumi-xen-codegen <python|nodejs> <schema.json> <out-dir> [version]
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

func main() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: pulumi-xen-codegen <python|nodejs> <schema.json> <out-dir> [version]")
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
	default:
		return fmt.Errorf("language %q: python or nodejs", language)
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
