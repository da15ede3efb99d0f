using System.Text;
using Ledger.Domain.Audit.TreeHeads;
using NodaTime;
using Shouldly;
using Xunit;
using static Ledger.Domain.Tests.Audit.TreeHeads.TreeHeadSamples;

namespace Ledger.Domain.Tests.Audit.TreeHeads;

/// <summary>The signed-note format (c2sp.org/signed-note) and the tree head text it carries, read strictly.</summary>
public class SignedNoteTests
{
    [Fact]
    public void The_specifications_own_example_note_is_read_as_it_is_written()
    {
        // The example of c2sp.org/signed-note: an Ed25519 signature (type 0x01) over a three-line text.
        const string example = "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n\n"
                               + "— quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n";

        SignedNote.TryParse(Encoding.UTF8.GetBytes(example), out var note, out var error).ShouldBeTrue(error);

        note.Text.ShouldBe("Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n");
        note.Signatures.Count.ShouldBe(1);
        note.Signatures[0].KeyName.ShouldBe("quasimodo.example/salvatore");
        note.Signatures[0].KeyIdHex.ShouldBe("367ba04b");
        note.Signatures[0].Signature.Length.ShouldBe(64);
        note.Format().ShouldBe(example);
    }

    [Fact]
    public void A_tree_head_is_written_as_a_checkpoint_with_three_extension_lines()
    {
        var head = new TreeHead("unoic-ledger", 52, new string('a', 64), Instant.FromUtc(2024, 7, 25, 6, 0, 7), 53, new string('b', 64));

        head.Text.ShouldBe(
            "unoic-ledger\n52\nqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqo=\n" +
            "time 2024-07-25T06:00:07Z\nlast-sequence 53\nkey bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n");
        TreeHead.TryParse(head.Text, out var parsed, out var error).ShouldBeTrue(error);
        parsed.ShouldBe(head);
    }

    [Theory]
    [InlineData("unoic-ledger\n052\nqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqo=\ntime 2024-07-25T06:00:07Z\nlast-sequence 53\nkey bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n", "canonical")]
    [InlineData("unoic-ledger\n52\nqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqo=\ntime 2024-07-25T06:00:07.5Z\nlast-sequence 53\nkey bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n", "time")]
    [InlineData("unoic-ledger\n52\nqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqo=\ntime 2024-07-25T06:00:07Z\nlast-sequence 53\nkey BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB\n", "key")]
    [InlineData("unoic-ledger\n52\nqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq==\ntime 2024-07-25T06:00:07Z\nlast-sequence 53\nkey bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n", "root")]
    [InlineData("unoic-ledger\n52\nqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqo=\ntime 2024-07-25T06:00:07Z\nkey bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n", "lines")]
    [InlineData("unoic ledger\n52\nqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqo=\ntime 2024-07-25T06:00:07Z\nlast-sequence 53\nkey bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n", "origin")]
    [InlineData("unoic-ledger\n-52\nqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqo=\ntime 2024-07-25T06:00:07Z\nlast-sequence 53\nkey bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n", "size")]
    public void A_tree_head_text_that_is_not_exactly_canonical_is_refused(string text, string what)
    {
        TreeHead.TryParse(text, out _, out var error).ShouldBeFalse(what);
        error.ShouldNotBeEmpty();
    }

    [Theory]
    [InlineData("text\n\n— name AAAAAA==\n", "key ID followed by a signature")] // 4 bytes: a key ID and no signature
    [InlineData("text\n— name AAAAAAAAAA==\n", "blank line")]
    [InlineData("text\n\n", "no signature")]
    [InlineData("text\n\n— name AAAAAAAAAA==", "newline")]
    [InlineData("text\r\n\r\n— name AAAAAAAAAA==\r\n", "U+000D")]
    [InlineData("text\n\n- name AAAAAAAAAA==\n", "em dash")]
    [InlineData("text\n\n— two names AAAAAAAAAA==\n", "<key name>")]
    [InlineData("text\n\n— na+me AAAAAAAAAA==\n", "'+'")]
    [InlineData("text\n\n— name AAAAAAAAAA!=\n", "not base64")]
    [InlineData("text\n\n— name AAAAAAAAAB==\n", "canonical base64")]
    [InlineData("te\u0007xt\n\n— name AAAAAAAAAA==\n", "U+0007")]
    public void A_malformed_note_is_refused_with_the_reason(string note, string reason)
    {
        SignedNote.TryParse(note, out _, out var error).ShouldBeFalse();
        error.ShouldContain(reason);
    }

    [Fact]
    public void A_note_that_is_not_utf8_or_carries_too_many_signatures_is_refused()
    {
        SignedNote.TryParse([0x74, 0xff, 0x0a, 0x0a, 0xe2, 0x80, 0x94, 0x20, 0x6e, 0x20, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x3d, 0x3d, 0x0a], out _, out var error).ShouldBeFalse();
        error.ShouldContain("UTF-8");

        var crowded = "text\n\n" + string.Concat(Enumerable.Repeat("— name AAAAAAAAAA==\n", SignedNote.MaxSignatures + 1));
        SignedNote.TryParse(crowded, out _, out error).ShouldBeFalse();
        error.ShouldContain("at most 16");
    }

    [Fact]
    public void A_signed_head_reads_back_as_written_with_every_signature()
    {
        var head = Head(10, KeyA, KeyB);

        SignedTreeHead.TryParse(Encoding.UTF8.GetBytes(head.Format()), out var parsed, out var error).ShouldBeTrue(error);

        parsed.Head.ShouldBe(head.Head);
        parsed.Note.Signatures.Select(s => s.KeyIdHex).ShouldBe([KeyA.PublicKey.KeyIdHex, KeyB.PublicKey.KeyIdHex]);
        parsed.Format().ShouldBe(head.Format());
    }
}
