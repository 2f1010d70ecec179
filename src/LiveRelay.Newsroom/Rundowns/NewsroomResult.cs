namespace LiveRelay.Newsroom.Rundowns;

/// <summary>How a newsroom command ended: a value, or an error the API maps to a status code.</summary>
public readonly record struct NewsroomResult<T>(T? Value, NewsroomError Error, string? Message)
{
    public bool Ok => Error == NewsroomError.None;

    public static NewsroomResult<T> Success(T value) => new(value, NewsroomError.None, null);

    public static NewsroomResult<T> Fail(NewsroomError error, string message) => new(default, error, message);

    public static implicit operator NewsroomResult<T>(T value) => Success(value);
}

/// <summary>Why a command failed.</summary>
public enum NewsroomError
{
    None,

    /// <summary>The input is invalid (400).</summary>
    Invalid,

    /// <summary>Something named does not exist (404).</summary>
    NotFound,

    /// <summary>A concurrent change, or a state that does not allow it (409).</summary>
    Conflict,
}
