/** Error and loading boxes shared by the views. */
export const ErrorBox = ({ message, onRetry }: { message: string; onRetry?: () => void }) => (
  <div class="callout callout-error" role="alert">
    <p>{message}</p>
    {onRetry && (
      <button type="button" class="btn btn-quiet" onClick={onRetry}>
        Try again
      </button>
    )}
  </div>
);
