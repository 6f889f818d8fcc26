using KeyPairAuth.Replay;
using KeyShares = KeyPairAuth.Replay.InMemoryReplayCache.KeyShares;

namespace KeyPairAuth.Tests.Replay;

/// <summary>
/// The per-key counters behind <see cref="InMemoryReplayCacheOptions.MaxEntriesPerKey"/>, a count-min sketch: a key
/// counts in one counter of each of three rows and holds the smallest of the three, so a key that shares a counter
/// with a busy key in some rows is still counted by its own pairs alone as long as one row is its own. The counters a
/// key gets are random (seeded per instance); these tests find keys that share counters by the counter indexes a
/// <see cref="KeyShares.Reservation"/> names.
/// </summary>
public sealed class KeySharesTests
{
    private const int Share = 10;
    private const int Width = 1024; // 64 × 160 / 10
    private const uint Now = 0;
    private const uint Expiry = 200; // epoch 3, so layer 3
    private const int Layer = 3;
    private const string Probe = "kpa_probe";

    private readonly KeyShares _shares = new(Share, maxEntries: 160);

    [Fact]
    public void TryReserve_KeySharingTwoOfItsCountersWithKeysAtTheirShare_IsCountedByItsThirdCounter()
    {
        var taken = new HashSet<int>();
        string busy0 = KeySharingOnly(Probe, row: 0, taken);
        string busy1 = KeySharingOnly(Probe, row: 1, taken);
        FillShare(busy0);
        FillShare(busy1);
        Assert.False(_shares.TryReserve(busy0, Expiry, Now, out _));

        for (int i = 0; i < Share; i++)
        {
            Assert.True(_shares.TryReserve(Probe, Expiry, Now, out _), $"pair {i}");
        }

        Assert.False(_shares.TryReserve(Probe, Expiry, Now, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Release_ReservationsGivenBack_LeaveNoCountInAnyRow(int ownRow)
    {
        // The probe's counters in the other two rows are held at the share by other keys, so whether it may reserve
        // depends on its counter in ownRow alone: reserving and releasing (a replay) must leave it where it was.
        var taken = new HashSet<int>();
        foreach (int row in Enumerable.Range(0, KeyShares.Rows).Where(r => r != ownRow))
        {
            FillShare(KeySharingOnly(Probe, row, taken));
        }

        for (int i = 0; i < 3 * Share; i++)
        {
            Assert.True(_shares.TryReserve(Probe, Expiry, Now, out KeyShares.Reservation reservation), $"attempt {i}");
            _shares.Release(reservation);
        }

        FillShare(Probe);
    }

    [Fact]
    public void TryReserve_ManyKeys_EachRowSpreadsThemOverAllOfItsOwnCounters()
    {
        var shares = new KeyShares(share: 1000, maxEntries: 16_000); // also 1024 counters a row
        var slots = new HashSet<int>[KeyShares.Rows];
        for (int row = 0; row < KeyShares.Rows; row++)
        {
            slots[row] = [];
        }

        int sameSlotInTwoRows = 0;
        for (int k = 0; k < 8 * Width; k++)
        {
            Assert.True(shares.TryReserve($"kpa_{k:D16}", Expiry, Now, out KeyShares.Reservation reservation));
            int[] counters = [reservation.Row0, reservation.Row1, reservation.Row2];
            for (int row = 0; row < KeyShares.Rows; row++)
            {
                // Each row is its own band of Width × Layers counters, and the pair counts in its expiry's layer.
                Assert.Equal(row, counters[row] / (Width * KeyShares.Layers));
                Assert.Equal(Layer, counters[row] % KeyShares.Layers);
                slots[row].Add(counters[row] / KeyShares.Layers % Width);
            }

            if (counters[0] / KeyShares.Layers % Width == counters[1] / KeyShares.Layers % Width)
            {
                sameSlotInTwoRows++;
            }
        }

        // 8192 random keys over 1024 slots leave about one slot of a row unused; the rows choose independently.
        Assert.All(slots, s => Assert.True(s.Count >= 1000, $"{s.Count} of {Width} counters used"));
        Assert.InRange(sameSlotInTwoRows, 0, 64);
    }

    private void FillShare(string keyId)
    {
        for (int i = 0; i < Share; i++)
        {
            Assert.True(_shares.TryReserve(keyId, Expiry, Now, out _), $"{keyId} pair {i}");
        }
    }

    private int[] Counters(string keyId)
    {
        Assert.True(_shares.TryReserve(keyId, Expiry, Now, out KeyShares.Reservation reservation));
        _shares.Release(reservation);
        return [reservation.Row0, reservation.Row1, reservation.Row2];
    }

    /// <summary>A key whose counter in <paramref name="row"/> is the probe's and whose others are nobody's in <paramref name="taken"/>.</summary>
    private string KeySharingOnly(string probe, int row, HashSet<int> taken)
    {
        int[] probeCounters = Counters(probe);
        taken.UnionWith(probeCounters);
        for (int i = 0; i < 100 * Width; i++)
        {
            string candidate = $"kpa_row{row}_candidate{i}";
            int[] counters = Counters(candidate);
            if (counters[row] == probeCounters[row] && Enumerable.Range(0, KeyShares.Rows).All(r => r == row || !taken.Contains(counters[r])))
            {
                taken.UnionWith(counters);
                return candidate;
            }
        }

        throw new InvalidOperationException($"no key shares only row {row} with {probe}");
    }
}
