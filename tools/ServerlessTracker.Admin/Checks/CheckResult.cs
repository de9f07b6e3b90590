namespace ServerlessTracker.Admin.Checks;

/// <summary>What one check of <c>st-admin check</c> found.</summary>
public enum Verdict
{
    Pass,
    Fail,

    /// <summary>Not applicable here (a UDP URL has no <c>/health/ready</c>) or not possible after an earlier failure.</summary>
    Skip,
}

/// <summary>One printed line: the check's name, its verdict and what was seen.</summary>
public sealed record CheckResult(string Name, Verdict Verdict, string Detail)
{
    public static CheckResult Pass(string name, string detail) => new(name, Verdict.Pass, detail);

    public static CheckResult Fail(string name, string detail) => new(name, Verdict.Fail, detail);

    public static CheckResult Skip(string name, string detail) => new(name, Verdict.Skip, detail);

    public override string ToString() => $"  {Verdict.ToString().ToUpperInvariant(),-4}  {Name,-14}  {Detail}";
}
