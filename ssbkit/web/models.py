"""Pydantic models of the JSON API (the edge; inside, plain dicts and ssbkit records)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["SampleIn", "SamplePatch", "UserIn", "LabIn", "MemberIn", "ProtocolIn", "TokenIn", "AnalyseIn", "DscKineticsIn", "SharingIn"]


class SampleIn(BaseModel):
    """A sample: composition in the field's notation, batch, route, pellet, set-up, who and when."""

    model_config = ConfigDict(extra="forbid")

    lab_id: int | None = Field(None, description="lab (default: your only lab)")
    name: str = Field(..., min_length=1, max_length=200)
    composition: str = Field(..., min_length=1, description="e.g. 75Li2S-25P2S5", max_length=200)
    batch: str = Field("", max_length=200)
    operator: str = Field("", max_length=200)
    synthesis_route: str = Field("", description="e.g. ball milling 500 rpm 10 h", max_length=2000)
    precursors: str = Field("", max_length=2000)
    heat_treatment: str = Field("", description="e.g. 260 degC 2 h, Ar", max_length=2000)
    thickness_cm: float | None = Field(None, gt=0, description="pellet thickness, cm")
    diameter_cm: float | None = Field(None, gt=0, description="electrode diameter, cm")
    area_cm2: float | None = Field(None, gt=0, description="electrode area, cm2 (instead of the diameter)")
    density_g_cm3: float | None = Field(None, gt=0, lt=30)
    relative_density: float | None = Field(None, gt=0, le=1.05, description="fraction of the theoretical density")
    stack_pressure_MPa: float | None = Field(None, ge=0, lt=5000)
    electrode: str = Field("", description="e.g. sputtered Au, blocking", max_length=200)
    instrument: str = Field("", max_length=200)
    date: str = Field("", max_length=40, description="measurement date, YYYY-MM-DD")
    active_mass_mg: float | None = Field(None, gt=0, description="cathode active mass for cycling, mg")
    electrode_area_cm2: float | None = Field(None, gt=0, description="cell electrode area for cycling, cm2")
    notes: str = Field("", max_length=5000)

    @field_validator("thickness_cm")
    @classmethod
    def _thickness_in_cm(cls, v: float | None) -> float | None:
        if v is not None and v > 2:
            raise ValueError(f"thickness_cm = {v} is more than 2 cm: was it typed in mm? (1 mm = 0.1 cm)")
        return v

    @field_validator("diameter_cm")
    @classmethod
    def _diameter_in_cm(cls, v: float | None) -> float | None:
        if v is not None and v > 10:
            raise ValueError(f"diameter_cm = {v} is more than 10 cm: was it typed in mm?")
        return v

    @model_validator(mode="after")
    def _one_of_diameter_area(self) -> SampleIn:
        if self.diameter_cm is not None and self.area_cm2 is not None:
            raise ValueError("give the diameter or the area, not both")
        return self

    def details(self) -> dict[str, Any]:
        """Everything but the indexed columns, for the ``details`` JSON column.

        Returns
        -------
        dict
        """
        return self.model_dump(exclude={"lab_id", "name", "composition", "batch", "operator"})


class SamplePatch(BaseModel):
    """Changes to a sample's record (only the fields given change; its analyses stay until re-analysed)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200)
    batch: str | None = Field(None, max_length=200)
    operator: str | None = Field(None, max_length=200)
    thickness_cm: float | None = Field(None, gt=0, le=2, description="pellet thickness, cm (<= 2: mm typed?)")
    diameter_cm: float | None = Field(None, gt=0, le=10)
    area_cm2: float | None = Field(None, gt=0)
    density_g_cm3: float | None = Field(None, gt=0, lt=30)
    relative_density: float | None = Field(None, gt=0, le=1.05)
    stack_pressure_MPa: float | None = Field(None, ge=0, lt=5000)
    electrode: str | None = Field(None, max_length=200)
    instrument: str | None = Field(None, max_length=200)
    date: str | None = Field(None, max_length=40)
    active_mass_mg: float | None = Field(None, gt=0)
    electrode_area_cm2: float | None = Field(None, gt=0)
    notes: str | None = Field(None, max_length=5000)

    @model_validator(mode="after")
    def _one_of_diameter_area(self) -> SamplePatch:
        if self.diameter_cm is not None and self.area_cm2 is not None:
            raise ValueError("give the diameter or the area, not both")
        return self

    def changes(self) -> dict[str, Any]:
        """The fields that were given.

        Returns
        -------
        dict
        """
        return {k: v for k, v in self.model_dump().items() if k in self.model_fields_set}


class UserIn(BaseModel):
    """A new user and their lab membership."""

    model_config = ConfigDict(extra="forbid")
    username: str = Field(..., min_length=1, max_length=64)
    password: str = Field(..., min_length=8, max_length=200)
    lab_id: int
    role: str = Field("member", pattern="^(member|admin)$")

    def __repr__(self) -> str:  # never show the password
        return f"UserIn(username={self.username!r}, lab_id={self.lab_id}, role={self.role!r})"

    __str__ = __repr__


class LabIn(BaseModel):
    """A new lab."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(..., min_length=1, max_length=120)


class MemberIn(BaseModel):
    """An existing user added to a lab."""

    model_config = ConfigDict(extra="forbid")
    username: str
    role: str = Field("member", pattern="^(member|admin)$")


class ProtocolIn(BaseModel):
    """A lab's analysis protocol (omitted keys keep their defaults)."""

    model_config = ConfigDict(extra="forbid")
    circuit: str | None = None
    weighting: str | None = None
    arrhenius_form: str | None = None
    shared: list[str] | None = None
    kk_c: float | None = None
    kk_threshold: float | None = None
    report_T_C: float | None = None

    def given(self) -> dict[str, Any]:
        """The keys that were set.

        Returns
        -------
        dict
        """
        return {k: v for k, v in self.model_dump().items() if v is not None}


class TokenIn(BaseModel):
    """Name of a new API token."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field("script", max_length=120)


class AnalyseIn(BaseModel):
    """Re-analyse a sample's spectra: with the lab's current protocol unless one is given."""

    model_config = ConfigDict(extra="forbid")
    protocol: ProtocolIn | None = None


class DscKineticsIn(BaseModel):
    """A heating-rate set of one sample's DSC scans for Kissinger / Ozawa / Matusita-Sakka kinetics."""

    model_config = ConfigDict(extra="forbid")
    measurement_ids: list[int] = Field(..., description="DSC measurements of the sample, one per heating rate")
    heating_rates_K_per_min: list[float | None] | None = Field(
        None, description="one per measurement, K/min (None: the rate the upload was read with)")
    exo: str | None = Field(None, pattern="^(up|down)$", description="where the files do not say")
    tg_window_C: str | list[float] | None = Field(None, description="'LOW, HIGH' degC")
    tc_window_C: str | list[float] | None = Field(None, description="'LOW, HIGH' degC")
    overlap: str | None = Field(None, pattern="^(error|merge)$")
    smooth_K: float | None = Field(None, gt=0)

    def options(self) -> dict[str, Any]:
        """The DSC options that were given.

        Returns
        -------
        dict
        """
        return {k: v for k, v in self.model_dump(exclude={"measurement_ids", "heating_rates_K_per_min"}).items()
                if v not in (None, "")}


class SharingIn(BaseModel):
    """Whether the lab shares anonymised results (aggregates only) with other labs' comparisons."""

    model_config = ConfigDict(extra="forbid")
    share_anonymised: bool
