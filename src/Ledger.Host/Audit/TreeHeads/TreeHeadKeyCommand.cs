using JasperFx.CommandLine;
using Ledger.Domain.Audit.TreeHeads;
using Ledger.Host.CommandLine;

namespace Ledger.Host.Audit.TreeHeads;

public sealed class TreeHeadKeyInput : NetCoreInput
{
    [Description("The file to write the new private key to (PEM, PKCS#8, readable by its owner only); an existing file is never replaced")]
    [FlagAlias("out", 'o')]
    public string OutFlag { get; set; } = "tree-head-key.pem";
}

/// <summary>
/// <c>tree-head-key --out FILE</c>: a new ECDSA P-256 key for signing tree heads, as <c>openssl genpkey -algorithm EC
/// -pkeyopt ec_paramgen_curve:P-256</c> would make one, for a new ledger or a rotation. Prints the public key (to
/// publish and give to verifiers) and its fingerprint.
/// </summary>
[Description("Generate a new ECDSA P-256 key for signing tree heads (for Ledger:TreeHeads:KeyFile), and print its public key", Name = "tree-head-key")]
public sealed class TreeHeadKeyCommand : JasperFxCommand<TreeHeadKeyInput>
{
    public override bool Execute(TreeHeadKeyInput input)
    {
        var path = Path.GetFullPath(input.OutFlag);
        if (File.Exists(path))
        {
            return VerbOutput.Refuse($"{path} exists; a key is never overwritten. Choose another --out");
        }

        using var key = NoteSigningKey.Generate();
        TreeHeadFiles.WritePrivateKey(path, key);
        VerbOutput.Line("Wrote", "green", $"a tree-head signing key to {path}: key id {key.PublicKey.KeyIdHex}, sha256 {key.PublicKey.Fingerprint}.");
        VerbOutput.Line("Its public key (what verifiers are given):");
        Console.Write(key.PublicKey.Pem);
        return true;
    }
}
