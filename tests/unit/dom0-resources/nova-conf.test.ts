/** nova.conf editing (pure): one option changed in place, everything else byte for byte; exact round trips. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { getOption, removeOption, setOption } from "../../../provider/resources/nova-conf";

const NOVA_CONF = `# nova.conf of the compute VM
[DEFAULT]
# Driver to use for controlling virtualization.
compute_driver = libvirt.LibvirtDriver
my_ip=10.0.0.5
firewall_driver = nova.virt.firewall.IptablesFirewallDriver
; an ini-style comment
verbose: true

[xenserver]
# connection_url = http://example
connection_url = http://169.254.0.1
connection_username = root

[vnc]
enabled = true
`;

describe("nova.conf editing", () => {
  it("reads options by section (oslo: the last occurrence wins; commented lines are not options)", () => {
    assert.equal(getOption(NOVA_CONF, "DEFAULT", "firewall_driver"), "nova.virt.firewall.IptablesFirewallDriver");
    assert.equal(getOption(NOVA_CONF, "DEFAULT", "my_ip"), "10.0.0.5");
    assert.equal(getOption(NOVA_CONF, "DEFAULT", "verbose"), "true");
    assert.equal(getOption(NOVA_CONF, "xenserver", "connection_url"), "http://169.254.0.1");
    assert.equal(getOption(NOVA_CONF, "vnc", "connection_url"), undefined);
    assert.equal(getOption(NOVA_CONF, "DEFAULT", "connection_url"), undefined);
    assert.equal(getOption("[DEFAULT]\na = 1\na = 2\n", "DEFAULT", "a"), "2");
    assert.equal(getOption(undefined, "DEFAULT", "a"), undefined);
  });

  it("rewrites that one line in place, keeping comments, order and every other option", () => {
    const out = setOption(NOVA_CONF, "DEFAULT", "firewall_driver", "nova.virt.xenapi.firewall.Dom0IptablesFirewallDriver");
    assert.equal(out, NOVA_CONF.replace("firewall_driver = nova.virt.firewall.IptablesFirewallDriver", "firewall_driver = nova.virt.xenapi.firewall.Dom0IptablesFirewallDriver"));
    // the line's own spelling of the separator is kept
    assert.equal(setOption(NOVA_CONF, "DEFAULT", "my_ip", "10.0.0.6"), NOVA_CONF.replace("my_ip=10.0.0.5", "my_ip=10.0.0.6"));
    assert.equal(setOption(NOVA_CONF, "DEFAULT", "verbose", "false"), NOVA_CONF.replace("verbose: true", "verbose: false"));
    assert.equal(setOption(NOVA_CONF, "DEFAULT", "my_ip", "10.0.0.5"), NOVA_CONF, "same value: the very same text");
  });

  it("adds a missing option after the section's last option, and a missing section at the end", () => {
    const out = setOption(NOVA_CONF, "xenserver", "sr_matching_filter", "default-sr:true");
    assert.equal(out, NOVA_CONF.replace("connection_username = root\n", "connection_username = root\nsr_matching_filter = default-sr:true\n"));
    const withSection = setOption(NOVA_CONF, "libvirt", "virt_type", "kvm");
    assert.equal(withSection, NOVA_CONF + "\n[libvirt]\nvirt_type = kvm\n");
    assert.equal(setOption(undefined, "DEFAULT", "firewall_driver", "x"), "[DEFAULT]\nfirewall_driver = x\n");
  });

  it("creates [DEFAULT] when the file has none", () => {
    const conf = "[xenserver]\nconnection_url = http://x\n";
    const out = setOption(conf, "DEFAULT", "firewall_driver", "nova.virt.firewall.NoopFirewallDriver");
    assert.equal(out, "[xenserver]\nconnection_url = http://x\n\n[DEFAULT]\nfirewall_driver = nova.virt.firewall.NoopFirewallDriver\n");
    assert.equal(getOption(out, "DEFAULT", "firewall_driver"), "nova.virt.firewall.NoopFirewallDriver");
    assert.equal(getOption(out, "xenserver", "connection_url"), "http://x");
  });

  it("rewrites duplicates and continuation lines into one line", () => {
    const conf = "[DEFAULT]\nfirewall_driver = a\n  continued\nother = 1\nfirewall_driver = b\n";
    assert.equal(setOption(conf, "DEFAULT", "firewall_driver", "c"), "[DEFAULT]\nfirewall_driver = c\nother = 1\n");
  });

  it("round trips: add then remove gives back the exact text", () => {
    for (const [section, key] of [["DEFAULT", "vncserver_proxyclient_address"], ["xenserver", "agent_version_timeout"], ["xenserver", "connection_password"]]) {
      const added = setOption(NOVA_CONF, section, key, "v");
      assert.equal(removeOption(added, section, key), NOVA_CONF);
    }
    const withSection = setOption(NOVA_CONF, "libvirt", "virt_type", "kvm");
    assert.equal(removeOption(withSection, "libvirt", "virt_type", true), NOVA_CONF, "a section it added goes with its option");
    assert.equal(removeOption(withSection, "libvirt", "virt_type", false), NOVA_CONF + "\n[libvirt]\n", "a section that was there stays");
    const fresh = setOption(undefined, "DEFAULT", "firewall_driver", "x");
    assert.equal(removeOption(fresh, "DEFAULT", "firewall_driver", true), "");
    const noDefault = "[xenserver]\nconnection_url = http://x\n";
    assert.equal(removeOption(setOption(noDefault, "DEFAULT", "firewall_driver", "x"), "DEFAULT", "firewall_driver", true), noDefault);
  });

  it("keeps CRLF line endings and a file without a final newline", () => {
    const crlf = "[DEFAULT]\r\nfirewall_driver = a\r\nx = 1\r\n";
    assert.equal(setOption(crlf, "DEFAULT", "firewall_driver", "b"), "[DEFAULT]\r\nfirewall_driver = b\r\nx = 1\r\n");
    assert.equal(setOption("[DEFAULT]\nfirewall_driver = a", "DEFAULT", "firewall_driver", "b"), "[DEFAULT]\nfirewall_driver = b");
  });

  it("refuses a value that would add lines (an injected option)", () => {
    assert.throws(() => setOption(NOVA_CONF, "DEFAULT", "firewall_driver", "x\n[DEFAULT]\ncompute_driver = evil"), /must be one line/);
  });
});
